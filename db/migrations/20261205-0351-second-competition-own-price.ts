// A framework agreement's second competition holds each entry supplier to its own agreement price:
// the order at that supplier's agreement prices, fixed when it joins (null in other competitions).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('auction_participants', 'own_ceiling_fen')) return;
  await knex.schema.alterTable('auction_participants', (t) => {
    t.bigInteger('own_ceiling_fen').nullable(); // integer fen
  });
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('auction_participants', 'own_ceiling_fen')) await knex.schema.alterTable('auction_participants', (t) => t.dropColumn('own_ceiling_fen'));
}
