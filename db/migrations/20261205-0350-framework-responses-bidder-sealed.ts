// Framework responses sealed by the supplier itself (the tendering envelope) instead of the
// platform seal key: `sealed` now holds the supplier's envelope, which nobody on the platform can
// open; the receipt also binds the envelope's own digest; the key attempts are counted as for tender
// bids; an opened response stays sealed under the platform key (opened_sealed) until the key window
// closes, when all are read out together; the agreement records when its key window closes.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('framework_responses', 'envelope_sha256'))) {
    await knex.schema.alterTable('framework_responses', (t) => {
      t.string('envelope_sha256', 64).nullable(); // SHA-256 of the stored envelope, in the receipt
      t.integer('key_attempts').notNullable().defaultTo(0);
      t.text('opened_sealed').nullable(); // opened with the supplier's key, sealed again until the read-out
    });
  }
  if (!(await knex.schema.hasColumn('framework_agreements', 'key_window_ends_at'))) {
    await knex.schema.alterTable('framework_agreements', (t) => {
      t.datetime('key_window_ends_at', { precision: 3 }).nullable(); // UTC, as utc() columns
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('framework_responses', 'envelope_sha256')) await knex.schema.alterTable('framework_responses', (t) => t.dropColumn('envelope_sha256').dropColumn('key_attempts').dropColumn('opened_sealed'));
  if (await knex.schema.hasColumn('framework_agreements', 'key_window_ends_at')) await knex.schema.alterTable('framework_agreements', (t) => t.dropColumn('key_window_ends_at'));
}
