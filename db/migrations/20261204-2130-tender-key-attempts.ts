// A wrong key no longer decides a bid: each bidder may hand in keys until the decryption window
// closes, up to the rule book's tenderMaxKeyAttempts. The count of keys refused is kept per bid.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('tender_bids', 'key_attempts')) return;
  await knex.schema.alterTable('tender_bids', (t) => {
    t.integer('key_attempts').notNullable().defaultTo(0); // keys handed in and refused (WRONG_KEY)
  });
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('tender_bids', 'key_attempts')) await knex.schema.alterTable('tender_bids', (t) => t.dropColumn('key_attempts'));
}
