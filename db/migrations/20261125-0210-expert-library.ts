// Expert library: leave periods, declared conflicts, ratings, and the evaluations an expert sat
// (written at a draw's reveal; they count against the expert's cap for the period).
import type { Knex } from 'knex';
import { addTable, dropTables, utc } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  await addTable('expert_leaves', (t) => {
    t.increments('id').primary();
    t.integer('expert_id').unsigned().notNullable().references('experts.id').onDelete('CASCADE').index();
    utc(t, 'starts_at').notNullable();
    utc(t, 'ends_at').notNullable();
    t.string('reason', 200).notNullable();
    utc(t, 'cancelled_at').nullable();
    utc(t, 'created_at').notNullable();
  })(knex);
  await addTable('expert_conflicts', (t) => {
    t.increments('id').primary();
    t.integer('expert_id').unsigned().notNullable().references('experts.id').onDelete('CASCADE').index();
    t.integer('org_id').unsigned().nullable().references('organisations.id').index();
    t.integer('supplier_id').unsigned().nullable().references('suppliers.id').index();
    t.string('relation', 32).notNullable(); // relative | former_employer | litigation | other
    t.string('note', 500).notNullable();
    utc(t, 'until').nullable(); // recusal ends (e.g. 3 years after leaving an employer); null = indefinite
    utc(t, 'withdrawn_at').nullable();
    utc(t, 'created_at').notNullable();
  })(knex);
  await addTable('expert_evaluations', (t) => {
    t.increments('id').primary();
    t.integer('expert_id').unsigned().notNullable().references('experts.id').onDelete('CASCADE');
    t.integer('draw_id').unsigned().notNullable().index();
    t.string('project_ref', 64).notNullable();
    utc(t, 'evaluation_at').notNullable();
    utc(t, 'created_at').notNullable();
    t.unique(['expert_id', 'draw_id']);
    t.index(['expert_id', 'evaluation_at']);
  })(knex);
  await addTable('expert_ratings', (t) => {
    t.increments('id').primary();
    t.integer('expert_id').unsigned().notNullable().references('experts.id').onDelete('CASCADE').index();
    t.integer('evaluation_id').unsigned().notNullable().references('expert_evaluations.id').unique();
    t.integer('score_milli').notNullable(); // 0..5000
    t.string('comment', 500).nullable();
    t.integer('rated_by').unsigned().nullable();
    utc(t, 'created_at').notNullable();
  })(knex);
  if (!(await knex.schema.hasColumn('experts', 'status_reason'))) {
    await knex.schema.alterTable('experts', (t) => {
      t.string('status_reason', 500).nullable();
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('experts', 'status_reason')) await knex.schema.alterTable('experts', (t) => t.dropColumn('status_reason'));
  await dropTables('expert_ratings', 'expert_evaluations', 'expert_conflicts', 'expert_leaves')(knex);
}
