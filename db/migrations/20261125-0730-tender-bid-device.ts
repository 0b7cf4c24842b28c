// A sealed bid records the bidder's device id (the browser's, as auctions record it), so the
// same-device red flag (SV04) sees tenders too, not only their IP addresses.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('tender_bids', 'submitted_device')) return;
  await knex.schema.alterTable('tender_bids', (t) => {
    t.string('submitted_device', 64).nullable(); // null for bids sent without one (older pages, scripts)
  });
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('tender_bids', 'submitted_device')) await knex.schema.alterTable('tender_bids', (t) => t.dropColumn('submitted_device'));
}
