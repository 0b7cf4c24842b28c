// The demo seed's progress on this database: a first start that failed halfway is recognised by
// the next start (status 'running' or 'failed'), which clears the partial demo city and seeds again.
import type { Knex } from 'knex';
import { addTable, dropTables, utc } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  await addTable('demo_seed_runs', (t) => {
    t.increments('id').primary();
    t.string('status', 16).notNullable(); // running | complete | failed
    t.string('step', 48).nullable(); // the step running, or the one that failed
    t.string('error', 1000).nullable();
    utc(t, 'started_at').notNullable();
    utc(t, 'finished_at').nullable();
  })(knex);
}

export const down = dropTables('demo_seed_runs');
