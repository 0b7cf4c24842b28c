// Sealed means sealed (tenders): a bid opened with its bidder's key during the decryption
// window is kept sealed under the seal key (opened_sealed) until the window closes or every bid
// is resolved; only then are its price and contents written in clear, all bids at once.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('tender_bids', 'opened_sealed')) return;
  await knex.schema.alterTable('tender_bids', (t) => {
    t.text('opened_sealed', 'longtext').nullable(); // AES-256-GCM of the opened bid, until the opening record
  });
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('tender_bids', 'opened_sealed')) await knex.schema.alterTable('tender_bids', (t) => t.dropColumn('opened_sealed'));
}
