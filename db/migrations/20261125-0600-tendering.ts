// Electronic tendering: tender documents and their notices, sealed bids, the evaluation committee
// and its scores. Bids hold only ciphertext and digests until their bidders decrypt them.
import type { Knex } from 'knex';
import { addTable, dropTables, utc, fen } from '../../server/db/schema';

const longText = (t: Knex.CreateTableBuilder, name: string) => t.text(name, 'longtext');

const tables = [
  addTable('tenders', (t) => {
    t.increments('id').primary();
    t.string('reference', 40).notNullable().unique();
    t.integer('project_id').nullable().index(); // the workflow body's project (no FK: modules evolve separately)
    t.string('title', 200).notNullable();
    t.string('kind', 16).notNullable(); // goods | services | works
    t.string('category_code', 32).notNullable();
    t.integer('purchasing_org_id').unsigned().nullable().references('organisations.id');
    fen(t, 'budget_fen').notNullable();
    t.string('method', 24).notNullable(); // comprehensive | lowest_price
    t.integer('price_weight').notNullable();
    t.integer('sme_deduction_pct').notNullable().defaultTo(0);
    t.integer('abnormal_low_pct').notNullable();
    t.integer('decryption_minutes').notNullable();
    t.text('description').notNullable();
    t.text('requirements_json').notNullable();
    t.text('qualifications_json').notNullable();
    t.text('criteria_json').notNullable();
    // draft | published | opening | evaluation | report_confirmation | evaluated | awarded | failed | cancelled
    t.string('status', 24).notNullable().index();
    utc(t, 'published_at').nullable();
    utc(t, 'bid_deadline').notNullable();
    utc(t, 'opening_at').notNullable();
    utc(t, 'decryption_ends_at').nullable();
    utc(t, 'evaluation_started_at').nullable();
    utc(t, 'report_at').nullable();
    longText(t, 'report_json').nullable();
    t.string('report_sha256', 64).nullable();
    t.integer('awarded_bid_id').nullable();
    fen(t, 'award_amount_fen').nullable();
    utc(t, 'awarded_at').nullable();
    utc(t, 'challenge_ends_at').nullable();
    utc(t, 'failed_at').nullable();
    t.string('failure_reason', 48).nullable();
    t.integer('created_by').unsigned().nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'updated_at').notNullable();
  }),
  // Everything published on the portal for a tender: the notice, clarifications, amendments,
  // the opening record, a failure notice and the award notice.
  addTable('tender_notices', (t) => {
    t.increments('id').primary();
    t.integer('tender_id').unsigned().notNullable().references('tenders.id').index();
    t.string('kind', 24).notNullable(); // notice | clarification | amendment | opening_record | failure | award
    t.boolean('substantive').notNullable().defaultTo(false);
    t.string('title', 200).notNullable();
    longText(t, 'body').notNullable();
    utc(t, 'deadline_before').nullable();
    utc(t, 'deadline_after').nullable();
    utc(t, 'published_at').notNullable();
    t.integer('created_by').unsigned().nullable();
  }),
  addTable('tender_bids', (t) => {
    t.increments('id').primary();
    t.integer('tender_id').unsigned().notNullable().references('tenders.id');
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id');
    t.string('receipt_no', 48).notNullable().unique();
    // sealed | replaced | withdrawn | decrypted | invalid | disqualified
    t.string('status', 16).notNullable();
    longText(t, 'envelope').nullable(); // the sealed envelope (ciphertext); cleared when withdrawn
    t.string('envelope_sha256', 64).notNullable(); // over the stored envelope, fixed in the receipt
    t.string('plaintext_sha256', 64).notNullable(); // the bidder's digest of the canonical plaintext
    utc(t, 'submitted_at').notNullable();
    t.string('submitted_ip', 64).nullable();
    t.integer('replaced_by_bid_id').nullable();
    utc(t, 'withdrawn_at').nullable();
    utc(t, 'decrypted_at').nullable();
    t.string('invalid_reason', 48).nullable();
    t.string('invalid_detail', 500).nullable();
    // Known only after the opening:
    fen(t, 'price_fen').nullable();
    t.boolean('small_business').nullable();
    longText(t, 'opened_json').nullable();
    fen(t, 'evaluated_price_fen').nullable();
    t.integer('price_score_milli').nullable();
    t.integer('tech_score_milli').nullable();
    t.integer('total_score_milli').nullable();
    t.integer('bid_rank').nullable();
    t.boolean('recommended').notNullable().defaultTo(false);
    // Abnormally low price: flagged | explanation_requested | explained | accepted | rejected
    t.string('abnormal_status', 24).nullable();
    t.text('abnormal_explanation').nullable();
    t.index(['tender_id', 'supplier_id']);
    t.index(['tender_id', 'status']);
  }),
  addTable('tender_committee', (t) => {
    t.integer('tender_id').unsigned().notNullable().references('tenders.id');
    t.integer('expert_id').unsigned().notNullable().references('experts.id');
    t.boolean('is_chair').notNullable().defaultTo(false);
    t.string('source', 16).notNullable(); // draw, or direct (demo data, tests)
    t.string('source_ref', 64).nullable(); // the draw's id
    utc(t, 'joined_at').notNullable();
    utc(t, 'scores_submitted_at').nullable();
    utc(t, 'report_confirmed_at').nullable();
    t.primary(['tender_id', 'expert_id']);
  }),
  addTable('tender_scores', (t) => {
    t.increments('id').primary();
    t.integer('tender_id').unsigned().notNullable().references('tenders.id');
    t.integer('bid_id').unsigned().notNullable().references('tender_bids.id');
    t.integer('expert_id').unsigned().notNullable().references('experts.id');
    t.text('compliance_json').notNullable(); // {checkKey: true|false}
    t.text('scores_json').notNullable(); // {criterionKey: milli-points}
    t.text('comment').nullable();
    utc(t, 'updated_at').notNullable();
    t.unique(['bid_id', 'expert_id']);
    t.index(['tender_id', 'expert_id']);
  }),
];

export async function up(knex: Knex): Promise<void> {
  for (const create of tables) await create(knex);
}

export const down = dropTables('tender_scores', 'tender_committee', 'tender_bids', 'tender_notices', 'tenders');
