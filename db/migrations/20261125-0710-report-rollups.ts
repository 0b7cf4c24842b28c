// Coarser roll-ups beside the full report cube, so each report reads the smallest table that
// still answers it (the full cube carries the supplier, which multiplies its rows), and indexes
// for the filtered paths (a unit, a supplier, a category).
import type { Knex } from 'knex';
import { addTable, dropTables, fen } from '../../server/db/schema';

const tables = [
  // Spend without the supplier: by unit, category, method, month.
  addTable('report_unit_cube', (t) => {
    t.string('month', 7).notNullable();
    t.integer('org_id').unsigned().notNullable();
    t.string('category_code', 32).notNullable();
    t.string('method', 32).notNullable();
    t.integer('items').notNullable();
    t.integer('projects').notNullable();
    fen(t, 'budget_fen').notNullable();
    fen(t, 'ceiling_fen').notNullable();
    fen(t, 'award_fen').notNullable();
    t.primary(['month', 'org_id', 'category_code', 'method']);
    t.index(['org_id', 'month']);
  }),
  // Suppliers by month and method (concentration without a unit or category filter).
  addTable('report_supplier_cube', (t) => {
    t.string('month', 7).notNullable();
    t.string('method', 32).notNullable();
    t.integer('supplier_id').unsigned().notNullable();
    t.string('supplier_size', 16).notNullable();
    t.integer('items').notNullable();
    t.integer('projects').notNullable();
    fen(t, 'budget_fen').notNullable();
    fen(t, 'ceiling_fen').notNullable();
    fen(t, 'award_fen').notNullable();
    t.primary(['month', 'method', 'supplier_id', 'supplier_size']);
  }),
  // Cycle times by month, method and stage (no unit or category filter).
  addTable('report_stage_cube', (t) => {
    t.string('month', 7).notNullable();
    t.string('method', 32).notNullable();
    t.string('stage', 32).notNullable();
    t.integer('n').notNullable();
    t.bigInteger('total_ms').notNullable();
    t.primary(['month', 'method', 'stage']);
  }),
];

export async function up(knex: Knex): Promise<void> {
  for (const create of tables) await create(knex);
  await knex.schema.alterTable('report_spend_cube', (t) => {
    t.index(['org_id', 'month'], 'report_spend_cube_org_month');
    t.index(['supplier_id', 'month'], 'report_spend_cube_supplier_month');
  });
  await knex.schema.alterTable('report_cycle_cube', (t) => t.index(['org_id', 'month'], 'report_cycle_cube_org_month'));
  await knex.schema.alterTable('report_line_facts', (t) => {
    t.index(['category_code', 'month'], 'report_line_facts_category_month');
    t.index(['supplier_id', 'month'], 'report_line_facts_supplier_month');
  });
  await knex.schema.alterTable('report_project_facts', (t) => {
    t.index(['month', 'award_fen'], 'report_project_facts_month_award');
    t.index(['org_id', 'month'], 'report_project_facts_org_month');
    t.index(['supplier_id', 'month'], 'report_project_facts_supplier_month');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('report_project_facts', (t) => {
    t.dropIndex([], 'report_project_facts_month_award');
    t.dropIndex([], 'report_project_facts_org_month');
    t.dropIndex([], 'report_project_facts_supplier_month');
  });
  await knex.schema.alterTable('report_line_facts', (t) => {
    t.dropIndex([], 'report_line_facts_category_month');
    t.dropIndex([], 'report_line_facts_supplier_month');
  });
  await knex.schema.alterTable('report_cycle_cube', (t) => t.dropIndex([], 'report_cycle_cube_org_month'));
  await knex.schema.alterTable('report_spend_cube', (t) => {
    t.dropIndex([], 'report_spend_cube_org_month');
    t.dropIndex([], 'report_spend_cube_supplier_month');
  });
  await dropTables('report_stage_cube', 'report_supplier_cube', 'report_unit_cube')(knex);
}
