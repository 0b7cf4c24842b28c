// Framework-agreement procurement (框架协议采购, MOF Order No. 110): the first stage's call for
// entry, its items and ceiling prices, the sealed responses, the entry suppliers and their prices,
// and the second stage's orders (each an ordinary procurement project of method framework_order).
import type { Knex } from 'knex';
import { addTable, dropTables, utc, fen } from '../../server/db/schema';

const tables = [
  addTable('framework_agreements', (t) => {
    t.increments('id').primary();
    t.string('ref', 32).notNullable().unique(); // KJXY-2026-0001
    t.string('title', 200).notNullable();
    t.string('category_code', 32).notNullable().index();
    t.string('category_kind', 16).notNullable(); // goods | services
    t.string('evaluation_method', 24).notNullable(); // price_priority | quality_priority
    t.text('entry_conditions').notNullable();
    t.string('second_stage_modes', 64).notNullable(); // comma list of direct, competition, rotation
    t.string('term_start', 10).notNullable(); // YYYY-MM-DD, Beijing days
    t.string('term_end', 10).notNullable(); // last day of the agreement, inclusive
    utc(t, 'response_deadline').nullable();
    // draft | calling | evaluation | entries_published | active | failed (expiry is read from term_end)
    t.string('status', 24).notNullable().index();
    t.string('failure_reason', 500).nullable();
    t.integer('rotation_next').notNullable().defaultTo(0); // the next entry's rotation position
    t.integer('created_by').unsigned().nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'call_published_at').nullable();
    utc(t, 'opened_at').nullable();
    utc(t, 'entries_published_at').nullable();
    utc(t, 'updated_at').notNullable();
    t.integer('version').notNullable().defaultTo(0);
  }),
  addTable('framework_agreement_items', (t) => {
    t.increments('id').primary();
    t.integer('agreement_id').unsigned().notNullable().references('framework_agreements.id').onDelete('CASCADE');
    t.integer('line_no').notNullable();
    t.string('category_code', 32).notNullable();
    t.string('name', 200).notNullable();
    t.string('specification', 2000).notNullable();
    t.string('unit', 16).notNullable();
    fen(t, 'max_price_fen').notNullable(); // 最高限制单价: no response above it
    t.unique(['agreement_id', 'line_no']);
  }),
  addTable('framework_responses', (t) => {
    t.increments('id').primary();
    t.integer('agreement_id').unsigned().notNullable().references('framework_agreements.id').onDelete('CASCADE');
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id');
    t.string('receipt_no', 48).notNullable().unique();
    t.text('sealed').notNullable(); // AES-256-GCM under the platform seal key, bound to agreement and supplier
    t.string('digest', 64).notNullable(); // SHA-256 of the canonical response: the supplier's receipt
    t.string('status', 16).notNullable(); // sealed | opened | withdrawn
    t.text('opened_json').nullable(); // the response after the opening (prices, brands, models)
    t.boolean('valid').nullable();
    t.string('invalid_reason', 500).nullable();
    t.integer('quality_score').nullable(); // quality priority: the evaluation's score (0..100)
    fen(t, 'total_fen').nullable(); // sum of the item prices (the ranking figure under price priority)
    t.integer('rank').nullable();
    utc(t, 'submitted_at').notNullable();
    utc(t, 'updated_at').notNullable();
    t.unique(['agreement_id', 'supplier_id']);
  }),
  addTable('framework_entries', (t) => {
    t.increments('id').primary();
    t.integer('agreement_id').unsigned().notNullable().references('framework_agreements.id').onDelete('CASCADE');
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id');
    t.integer('response_id').unsigned().notNullable().references('framework_responses.id');
    t.integer('rank').notNullable(); // also the rotation order
    fen(t, 'total_fen').notNullable();
    utc(t, 'signed_at').nullable();
    t.integer('signed_by').unsigned().nullable();
    t.unique(['agreement_id', 'supplier_id']);
  }),
  addTable('framework_entry_prices', (t) => {
    t.increments('id').primary();
    t.integer('entry_id').unsigned().notNullable().references('framework_entries.id').onDelete('CASCADE');
    t.integer('item_id').unsigned().notNullable().references('framework_agreement_items.id');
    fen(t, 'unit_price_fen').notNullable(); // the agreement's ceiling price for this supplier and item
    t.string('brand', 100).notNullable();
    t.string('model', 100).notNullable();
    t.unique(['entry_id', 'item_id']);
  }),
  addTable('framework_orders', (t) => {
    t.increments('id').primary();
    t.integer('agreement_id').unsigned().notNullable().references('framework_agreements.id');
    t.integer('project_id').unsigned().notNullable().unique().references('procurement_projects.id');
    t.string('mode', 16).notNullable(); // direct | competition | rotation
    t.integer('supplier_id').unsigned().nullable(); // direct and rotation: chosen at once
    fen(t, 'ceiling_fen').notNullable(); // the order at agreement prices (the second competition's ceiling)
    fen(t, 'amount_fen').nullable();
    t.string('reason', 1000).nullable(); // direct selection: why this supplier
    t.integer('auction_id').unsigned().nullable().index(); // second competition
    t.integer('created_by').unsigned().nullable();
    utc(t, 'created_at').notNullable();
  }),
];

export async function up(knex: Knex): Promise<void> {
  for (const create of tables) await create(knex);
}

export const down = dropTables('framework_orders', 'framework_entry_prices', 'framework_entries', 'framework_responses', 'framework_agreement_items', 'framework_agreements');
