// Cluster mode: each bid row names the lease epoch of the node that committed it (null on a
// single node), so anyone can check from the database alone that no owner committed after its
// lease moved on (epochs never go down along a competition's sequence).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('auction_bids', 'owner_epoch'))) {
    await knex.schema.alterTable('auction_bids', (t) => t.bigInteger('owner_epoch').nullable());
  }
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('auction_bids', 'owner_epoch')) await knex.schema.alterTable('auction_bids', (t) => t.dropColumn('owner_epoch'));
}
