// Competitive consultation (竞争性磋商, Finance Treasury [2014] No. 214): the consultation, the
// suppliers invited and their first responses, the consultation team, one round record per
// supplier and meeting, the changes to the documents and each remaining supplier's
// acknowledgement. The final quotations are a tender of procedure 'competitive_consultation'
// (sealed, opened, scored and awarded by the tendering module): tenders gains the procedure,
// the consultation it closes, and the minimum valid bids and team size that procedure allows.
import type { Knex } from 'knex';
import { addTable, dropTables, utc, fen } from '../../server/db/schema';

const longText = (t: Knex.CreateTableBuilder, name: string) => t.text(name, 'longtext');

const tables = [
  addTable('consultations', (t) => {
    t.increments('id').primary();
    t.string('reference', 40).notNullable().unique();
    t.integer('project_id').nullable().index(); // the workflow body's project (no FK, as tenders)
    t.string('title', 200).notNullable();
    t.string('kind', 16).notNullable(); // goods | services | works
    t.string('category_code', 32).notNullable();
    t.integer('purchasing_org_id').unsigned().nullable().references('organisations.id');
    fen(t, 'budget_fen').notNullable();
    t.integer('price_weight').notNullable();
    t.integer('sme_deduction_pct').notNullable().defaultTo(0);
    t.text('description').notNullable();
    t.text('requirements_json').notNullable();
    t.text('qualifications_json').notNullable();
    t.text('criteria_json').notNullable();
    t.string('invitation', 16).notNullable(); // draw | public_notice
    t.string('invitation_ref', 64).nullable(); // the supplier draw's id when invited by draw
    t.string('exception', 24).nullable(); // null | services_2015_124 | research_art22: 2 suppliers may continue
    t.integer('min_suppliers').notNullable();
    // draft | issued | consulting | final_quotation | failed | cancelled
    t.string('status', 24).notNullable().index();
    t.integer('documents_version').notNullable().defaultTo(0);
    utc(t, 'issued_at').nullable();
    utc(t, 'response_deadline').notNullable();
    utc(t, 'consulting_at').nullable();
    t.integer('tender_id').nullable().index(); // the final quotations
    utc(t, 'failed_at').nullable();
    t.string('failure_reason', 48).nullable();
    t.integer('created_by').unsigned().nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'updated_at').notNullable();
  }),
  addTable('consultation_suppliers', (t) => {
    t.increments('id').primary();
    t.integer('consultation_id').unsigned().notNullable().references('consultations.id');
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id');
    t.string('source', 16).notNullable(); // draw | public_notice
    // invited | responded | no_response | consulting | eliminated | withdrew
    t.string('status', 16).notNullable();
    utc(t, 'invited_at').notNullable();
    utc(t, 'responded_at').nullable();
    longText(t, 'response_text').nullable(); // the first response: read by the team after the deadline only
    t.string('response_sha256', 64).nullable();
    t.string('response_ip', 64).nullable();
    t.string('eliminated_reason', 500).nullable();
    t.unique(['consultation_id', 'supplier_id']);
  }),
  addTable('consultation_team', (t) => {
    t.increments('id').primary();
    t.integer('consultation_id').unsigned().notNullable().references('consultations.id');
    t.integer('expert_id').unsigned().notNullable().references('experts.id');
    t.boolean('is_chair').notNullable().defaultTo(false);
    t.string('source', 16).notNullable(); // draw
    t.string('source_ref', 64).nullable();
    utc(t, 'joined_at').notNullable();
    t.unique(['consultation_id', 'expert_id']);
  }),
  addTable('consultation_rounds', (t) => {
    t.increments('id').primary();
    t.integer('consultation_id').unsigned().notNullable().references('consultations.id');
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id');
    t.integer('round_no').notNullable();
    t.integer('documents_version').notNullable(); // the documents as they stood in this round
    longText(t, 'minutes').notNullable();
    t.string('minutes_sha256', 64).notNullable();
    t.integer('recorded_by_expert_id').unsigned().notNullable().references('experts.id');
    utc(t, 'held_at').notNullable();
    t.unique(['consultation_id', 'supplier_id', 'round_no']);
  }),
  addTable('consultation_changes', (t) => {
    t.increments('id').primary();
    t.integer('consultation_id').unsigned().notNullable().references('consultations.id');
    t.integer('version').notNullable();
    t.string('summary', 200).notNullable();
    longText(t, 'body').notNullable();
    t.string('body_sha256', 64).notNullable();
    t.integer('issued_by_expert_id').unsigned().nullable();
    t.integer('confirmed_by_user_id').unsigned().nullable(); // the purchaser's representative (art. 21)
    utc(t, 'issued_at').notNullable();
    t.unique(['consultation_id', 'version']);
  }),
  addTable('consultation_change_acks', (t) => {
    t.increments('id').primary();
    t.integer('change_id').unsigned().notNullable().references('consultation_changes.id');
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id');
    utc(t, 'sent_at').notNullable();
    utc(t, 'acknowledged_at').nullable();
    t.unique(['change_id', 'supplier_id']);
  }),
];

export async function up(knex: Knex): Promise<void> {
  for (const create of tables) await create(knex);
  if (!(await knex.schema.hasColumn('tenders', 'procedure'))) {
    await knex.schema.alterTable('tenders', (t) => {
      t.string('procedure', 32).notNullable().defaultTo('public_tender'); // public_tender | competitive_consultation
      t.integer('consultation_id').nullable();
      t.integer('min_valid_bids').nullable(); // null: the rule book's tender minimum
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('tenders', 'procedure')) {
    await knex.schema.alterTable('tenders', (t) => {
      t.dropColumn('procedure');
      t.dropColumn('consultation_id');
      t.dropColumn('min_valid_bids');
    });
  }
  await dropTables('consultation_change_acks', 'consultation_changes', 'consultation_rounds', 'consultation_team', 'consultation_suppliers', 'consultations')(knex);
}
