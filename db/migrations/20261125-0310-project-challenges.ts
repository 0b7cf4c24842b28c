// Challenges (质疑) to a procurement result during the challenge period: while one is open the
// contract waits; an upheld challenge annuls the result.
import type { Knex } from 'knex';
import { addTable, dropTables, utc } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  await addTable('project_challenges', (t) => {
    t.increments('id').primary();
    t.integer('project_id').unsigned().notNullable().references('procurement_projects.id').index();
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id');
    t.text('summary').notNullable();
    t.string('status', 16).notNullable(); // open | dismissed | upheld
    utc(t, 'received_at').notNullable();
    utc(t, 'reply_due_at').notNullable();
    t.text('reply').nullable();
    t.integer('replied_by').unsigned().nullable();
    utc(t, 'replied_at').nullable();
    utc(t, 'overdue_at').nullable();
  })(knex);
}

export const down = dropTables('project_challenges');
