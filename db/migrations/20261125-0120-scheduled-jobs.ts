// Durable scheduled jobs: deadlines, openings, reveals. Kept in the database so they survive
// a restart, and run late (catch up) when the server was down at their time.
import type { Knex } from 'knex';
import { addTable, dropTables, utc } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  await addTable('scheduled_jobs', (t) => {
    t.bigIncrements('id').primary();
    t.string('kind', 64).notNullable();
    t.string('job_key', 160).notNullable().unique(); // idempotent scheduling: one job per key
    utc(t, 'run_at').notNullable();
    t.text('payload_json').notNullable();
    t.string('status', 16).notNullable(); // pending | running | done | failed | cancelled
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    utc(t, 'locked_at').nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'finished_at').nullable();
    t.index(['status', 'run_at']);
  })(knex);
}

export const down = dropTables('scheduled_jobs');
