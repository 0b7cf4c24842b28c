// One owner per running competition (cluster issue): the node whose lease row this is runs the
// competition's sequencer. The owner renews `expires_at` every second or so; another node takes
// an expired lease by raising `epoch`, and every bid batch checks the epoch inside its own
// transaction, so an owner that was paused or cut off past its lease can never commit again.
import type { Knex } from 'knex';
import { utc } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('auction_owners')) return;
  await knex.schema.createTable('auction_owners', (t) => {
    t.integer('auction_id').unsigned().primary();
    t.string('node_id', 80).notNullable();
    t.bigInteger('epoch').notNullable();
    utc(t, 'expires_at').notNullable().index();
    utc(t, 'acquired_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('auction_owners');
}
