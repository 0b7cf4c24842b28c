// Cluster mode: a competition lease's renewals live in their own row, apart from the lease row
// that every bid batch locks to check its fencing epoch. The lease keeper (a worker thread)
// renews here without ever waiting behind a batch, so a busy owner's lease cannot lapse while
// its batches hold the lease row; a takeover counts a renewal only for the lease's node and epoch.
import type { Knex } from 'knex';
import { utc } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('auction_owner_renewals')) return;
  await knex.schema.createTable('auction_owner_renewals', (t) => {
    t.integer('auction_id').unsigned().primary();
    t.string('node_id', 80).notNullable();
    t.bigInteger('epoch').notNullable();
    utc(t, 'renewed_until').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('auction_owner_renewals');
}
