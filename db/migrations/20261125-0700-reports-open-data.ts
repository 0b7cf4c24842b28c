// Finance-bureau reports and open data: facts derived from awarded projects (one row per awarded
// line item, one per finished stage), the aggregate cubes the reports read (so a report over a
// million line items is a scan of a few thousand rows), export jobs, and OCDS release snapshots.
import type { Knex } from 'knex';
import { addTable, dropTables, utc, fen } from '../../server/db/schema';

const tables = [
  // One row per awarded requisition item; award and ceiling allocated exactly (largest remainder).
  addTable('report_line_facts', (t) => {
    t.bigIncrements('id').primary();
    t.integer('project_id').unsigned().notNullable().index();
    t.integer('requisition_item_id').unsigned().notNullable().unique();
    t.integer('org_id').unsigned().notNullable();
    t.string('category_code', 32).notNullable();
    t.string('method', 32).notNullable();
    t.string('month', 7).notNullable(); // award month, China Standard Time, 'YYYY-MM'
    t.integer('supplier_id').unsigned().notNullable();
    t.string('supplier_size', 16).notNullable();
    t.integer('budget_line_id').unsigned().notNullable();
    t.integer('quantity').notNullable();
    t.boolean('main_line').notNullable(); // the project's main-category line: counts the project once
    fen(t, 'budget_fen').notNullable();
    fen(t, 'ceiling_fen').notNullable();
    fen(t, 'award_fen').notNullable();
    t.index(['org_id', 'month']);
    t.index(['month', 'method']);
  }),
  // One row per awarded project: drill-down lists and the per-project figures.
  addTable('report_project_facts', (t) => {
    t.integer('project_id').unsigned().primary();
    t.string('ref', 32).notNullable();
    t.string('title', 200).notNullable();
    t.integer('org_id').unsigned().notNullable();
    t.string('category_code', 32).notNullable();
    t.string('method', 32).notNullable();
    t.string('month', 7).notNullable();
    t.integer('supplier_id').unsigned().notNullable();
    fen(t, 'budget_fen').notNullable();
    fen(t, 'ceiling_fen').notNullable();
    fen(t, 'award_fen').notNullable();
    t.integer('items').notNullable();
    utc(t, 'awarded_at').notNullable();
    t.index(['month', 'org_id']);
  }),
  // One row per finished stage of a project (and the pseudo-stages approval and requisition_to_contract).
  addTable('report_stage_facts', (t) => {
    t.bigIncrements('id').primary();
    t.integer('project_id').unsigned().notNullable().index();
    t.string('stage', 32).notNullable();
    t.string('method', 32).notNullable();
    t.integer('org_id').unsigned().notNullable();
    t.string('category_code', 32).notNullable();
    t.string('month', 7).notNullable(); // month the stage ended
    t.bigInteger('duration_ms').notNullable();
  }),
  addTable('report_spend_cube', (t) => {
    t.string('month', 7).notNullable();
    t.integer('org_id').unsigned().notNullable();
    t.string('category_code', 32).notNullable();
    t.string('method', 32).notNullable();
    t.integer('supplier_id').unsigned().notNullable();
    t.string('supplier_size', 16).notNullable();
    t.integer('items').notNullable();
    t.integer('projects').notNullable(); // projects whose main category this row carries (counts once per project)
    fen(t, 'budget_fen').notNullable();
    fen(t, 'ceiling_fen').notNullable();
    fen(t, 'award_fen').notNullable();
    t.primary(['month', 'org_id', 'category_code', 'method', 'supplier_id', 'supplier_size']);
    t.index(['month', 'method', 'org_id']);
  }),
  addTable('report_cycle_cube', (t) => {
    t.string('month', 7).notNullable();
    t.integer('org_id').unsigned().notNullable();
    t.string('category_code', 32).notNullable();
    t.string('method', 32).notNullable();
    t.string('stage', 32).notNullable();
    t.integer('n').notNullable();
    t.bigInteger('total_ms').notNullable();
    t.primary(['month', 'org_id', 'category_code', 'method', 'stage']);
  }),
  // Which projects the reconciler has seen (a watermark on procurement_projects.updated_at).
  addTable('report_state', (t) => {
    t.string('state_key', 64).primary();
    t.string('value', 255).notNullable();
  }),
  addTable('report_exports', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().index();
    t.string('report', 32).notNullable();
    t.string('format', 8).notNullable(); // csv | xlsx
    t.text('params_json').notNullable();
    t.string('status', 16).notNullable(); // queued | running | done | failed
    t.integer('rows_done').notNullable().defaultTo(0);
    t.integer('rows_total').nullable();
    t.string('file_name', 255).nullable();
    t.string('error', 500).nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'finished_at').nullable();
  }),
  // OCDS releases as published: a release is a point-in-time snapshot and never changes.
  addTable('ocds_releases', (t) => {
    t.increments('id').primary();
    t.string('release_id', 128).notNullable().unique();
    t.string('ocid', 64).notNullable().index();
    t.integer('project_id').unsigned().notNullable().index();
    t.string('tag', 32).notNullable();
    utc(t, 'release_date').notNullable().index();
    t.text('json', 'mediumtext').notNullable();
  }),
];

export async function up(knex: Knex): Promise<void> {
  for (const create of tables) await create(knex);
}

export const down = dropTables('ocds_releases', 'report_exports', 'report_state', 'report_cycle_cube', 'report_spend_cube', 'report_stage_facts', 'report_project_facts', 'report_line_facts');
