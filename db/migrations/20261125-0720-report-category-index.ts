// Drill-down by category reads the line facts: a covering index (category, month, project and
// the two sums) lets it group the matching lines without touching the table rows. Suppliers
// within a category (no unit) get their own roll-up.
import type { Knex } from 'knex';
import { addTable, dropTables, fen } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  await addTable('report_category_supplier_cube', (t) => {
    t.string('month', 7).notNullable();
    t.string('category_code', 32).notNullable();
    t.string('method', 32).notNullable();
    t.integer('supplier_id').unsigned().notNullable();
    t.string('supplier_size', 16).notNullable();
    t.integer('items').notNullable();
    t.integer('projects').notNullable();
    fen(t, 'budget_fen').notNullable();
    fen(t, 'ceiling_fen').notNullable();
    fen(t, 'award_fen').notNullable();
    t.primary(['month', 'category_code', 'method', 'supplier_id', 'supplier_size']);
  })(knex);
  await knex.schema.alterTable('report_line_facts', (t) => {
    t.dropIndex([], 'report_line_facts_category_month');
    t.index(['category_code', 'month', 'project_id', 'budget_fen', 'award_fen'], 'report_line_facts_category_cover');
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropTables('report_category_supplier_cube')(knex);
  await knex.schema.alterTable('report_line_facts', (t) => {
    t.dropIndex([], 'report_line_facts_category_cover');
    t.index(['category_code', 'month'], 'report_line_facts_category_month');
  });
}
