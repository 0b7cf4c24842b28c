// The procurement workflow: requisitions and their items, approval chains and steps, procurement
// projects with their stage history, contracts, payment requests, the finance bureau's link
// (idempotent inbound requests, webhook outbox) and the configurable rule book and holiday calendar.
import type { Knex } from 'knex';
import { addTable, dropTables, utc, fen } from '../../server/db/schema';

const tables = [
  // A city's own value for a rule (the defaults live in server/core/rules/rule-book.ts).
  addTable('procurement_rule_settings', (t) => {
    t.string('rule_key', 64).primary();
    t.text('value_json').notNullable();
    t.string('source', 255).notNullable();
    utc(t, 'updated_at').notNullable();
  }),
  // Holiday calendar: public holidays, and weekend days made working days (调休).
  addTable('calendar_days', (t) => {
    t.string('day', 10).primary(); // YYYY-MM-DD (China Standard Time)
    t.string('kind', 16).notNullable(); // holiday | workday
    t.string('name', 100).notNullable();
  }),
  addTable('approval_chain_steps', (t) => {
    t.increments('id').primary();
    t.integer('org_id').unsigned().nullable().references('organisations.id'); // null: the default chain
    t.integer('seq').notNullable();
    t.string('name_zh', 100).notNullable();
    t.string('name_en', 100).notNullable();
    t.string('approver_role', 16).notNullable(); // approver | finance | operator
    t.string('approver_scope', 24).notNullable(); // own_unit | finance_bureau | procurement_centre
    t.integer('time_limit_working_days').notNullable();
    t.index(['org_id', 'seq']);
  }),
  addTable('requisitions', (t) => {
    t.increments('id').primary();
    t.string('ref', 32).notNullable().unique();
    t.integer('org_id').unsigned().notNullable().references('organisations.id').index();
    t.integer('budget_line_id').unsigned().notNullable().references('budget_lines.id').index();
    t.integer('created_by').unsigned().notNullable().references('users.id');
    t.string('title', 200).notNullable();
    t.text('justification').notNullable();
    t.string('category_code', 32).notNullable(); // the main item's category (split detection)
    t.string('category_kind', 16).notNullable(); // goods | services | works
    t.boolean('framework_goods').notNullable().defaultTo(false);
    t.string('requested_method', 32).nullable(); // only single_source may be asked for
    t.text('single_source_reason').nullable();
    t.string('needed_by', 10).notNullable(); // YYYY-MM-DD
    fen(t, 'total_fen').notNullable();
    fen(t, 'frozen_fen').notNullable().defaultTo(0);
    t.string('status', 24).notNullable().index(); // draft | submitted | returned | approved | rejected | cancelled
    t.string('method', 32).nullable();
    t.text('method_reason').nullable();
    t.boolean('split_suspected').notNullable().defaultTo(false);
    t.text('attachments_json').nullable();
    t.integer('version').notNullable().defaultTo(1);
    utc(t, 'submitted_at').nullable();
    utc(t, 'decided_at').nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'updated_at').notNullable();
    t.index(['org_id', 'category_code', 'submitted_at']);
  }),
  addTable('requisition_items', (t) => {
    t.increments('id').primary();
    t.integer('requisition_id').unsigned().notNullable().references('requisitions.id').onDelete('CASCADE').index();
    t.integer('line_no').notNullable();
    t.string('category_code', 32).notNullable();
    t.string('name', 200).notNullable();
    t.text('specification').notNullable();
    t.integer('quantity').notNullable();
    t.string('unit', 16).notNullable();
    fen(t, 'unit_price_fen').notNullable();
    fen(t, 'amount_fen').notNullable();
  }),
  addTable('approval_steps', (t) => {
    t.increments('id').primary();
    t.integer('requisition_id').unsigned().notNullable().references('requisitions.id').onDelete('CASCADE').index();
    t.integer('round').notNullable(); // a resubmission after "return for changes" starts a new round
    t.integer('seq').notNullable();
    t.string('name_zh', 100).notNullable();
    t.string('name_en', 100).notNullable();
    t.string('approver_role', 16).notNullable();
    t.integer('approver_org_id').unsigned().notNullable().references('organisations.id');
    t.integer('time_limit_working_days').notNullable();
    t.string('status', 16).notNullable().index(); // waiting | pending | approved | rejected | returned | skipped
    t.integer('decided_by').unsigned().nullable().references('users.id');
    t.text('comment').nullable();
    utc(t, 'activated_at').nullable();
    utc(t, 'due_at').nullable();
    utc(t, 'decided_at').nullable();
    utc(t, 'overdue_at').nullable();
    t.index(['approver_org_id', 'approver_role', 'status']);
  }),
  addTable('procurement_projects', (t) => {
    t.increments('id').primary();
    t.string('ref', 32).notNullable().unique();
    t.integer('requisition_id').unsigned().notNullable().unique().references('requisitions.id');
    t.integer('org_id').unsigned().notNullable().references('organisations.id').index();
    t.string('title', 200).notNullable();
    t.string('method', 32).notNullable().index();
    t.string('stage', 32).notNullable().index();
    fen(t, 'budget_fen').notNullable();
    utc(t, 'notice_at').nullable();
    utc(t, 'deadline_at').nullable(); // bid / response deadline
    t.integer('responses').nullable(); // bids or responses received
    t.integer('valid_responses').nullable();
    t.integer('awarded_supplier_id').unsigned().nullable().references('suppliers.id');
    fen(t, 'award_fen').nullable();
    t.string('award_source', 24).nullable();
    t.string('award_source_ref', 64).nullable();
    utc(t, 'award_notice_at').nullable();
    t.string('failure_reason', 255).nullable();
    t.integer('version').notNullable().defaultTo(1);
    utc(t, 'created_at').notNullable();
    utc(t, 'updated_at').notNullable();
  }),
  // Every stage's entry and exit: cycle-time reports by stage and method.
  addTable('project_stages', (t) => {
    t.increments('id').primary();
    t.integer('project_id').unsigned().notNullable().references('procurement_projects.id').onDelete('CASCADE').index();
    t.string('method', 32).notNullable();
    t.string('stage', 32).notNullable();
    utc(t, 'entered_at').notNullable();
    utc(t, 'exited_at').nullable();
    utc(t, 'due_at').nullable();
    utc(t, 'overdue_at').nullable();
    t.index(['method', 'stage']);
  }),
  addTable('contracts', (t) => {
    t.increments('id').primary();
    t.string('ref', 32).notNullable().unique();
    t.integer('project_id').unsigned().notNullable().unique().references('procurement_projects.id');
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id').index();
    fen(t, 'amount_fen').notNullable();
    t.text('terms').notNullable();
    t.string('status', 24).notNullable(); // drafted | purchaser_signed | supplier_signed | signed | accepted
    t.integer('purchaser_signed_by').unsigned().nullable();
    utc(t, 'purchaser_signed_at').nullable();
    t.integer('supplier_signed_by').unsigned().nullable();
    utc(t, 'supplier_signed_at').nullable();
    t.integer('accepted_by').unsigned().nullable();
    utc(t, 'accepted_at').nullable();
    t.text('acceptance_note').nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'updated_at').notNullable();
  }),
  addTable('payment_requests', (t) => {
    t.increments('id').primary();
    t.string('ref', 32).notNullable().unique();
    t.integer('contract_id').unsigned().notNullable().unique().references('contracts.id');
    t.integer('project_id').unsigned().notNullable().references('procurement_projects.id');
    t.integer('budget_line_id').unsigned().notNullable().references('budget_lines.id');
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id');
    fen(t, 'amount_fen').notNullable();
    t.string('status', 16).notNullable().index(); // requested | accepted | paid | rejected
    t.string('treasury_ref', 64).nullable();
    t.string('reject_reason', 255).nullable();
    utc(t, 'requested_at').notNullable();
    utc(t, 'paid_at').nullable();
    utc(t, 'updated_at').notNullable();
  }),
  // Requests the finance bureau pushed in, by their request id: a retry gets the same answer.
  addTable('finance_inbound_requests', (t) => {
    t.string('request_id', 64).primary();
    t.string('endpoint', 64).notNullable();
    t.string('body_hash', 64).notNullable();
    t.integer('status_code').notNullable();
    t.text('response_json').notNullable();
    utc(t, 'received_at').notNullable();
  }),
  // Messages to the finance bureau, written in the transaction that causes them.
  addTable('finance_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.string('event_id', 64).notNullable().unique();
    t.string('event_type', 48).notNullable();
    t.text('payload_json').notNullable();
    t.string('status', 16).notNullable().index(); // pending | delivered
    t.integer('attempts').notNullable().defaultTo(0);
    utc(t, 'next_attempt_at').nullable();
    t.text('last_error').nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'delivered_at').nullable();
  }),
  addTable('finance_settings', (t) => {
    t.string('setting_key', 64).primary();
    t.text('value').notNullable();
    utc(t, 'updated_at').notNullable();
  }),
];

export async function up(knex: Knex): Promise<void> {
  for (const create of tables) await create(knex);
}

export const down = dropTables(
  'finance_settings',
  'finance_outbox',
  'finance_inbound_requests',
  'payment_requests',
  'contracts',
  'project_stages',
  'procurement_projects',
  'approval_steps',
  'requisition_items',
  'requisitions',
  'approval_chain_steps',
  'calendar_days',
  'procurement_rule_settings',
);
