// The supervision wing: red-flag alerts and their handling notes (never deleted), the
// supervisors' rule settings (thresholds, severity, on/off) and the risk points register.
import type { Knex } from 'knex';
import { addTable, dropTables, utc } from '../../server/db/schema';
import { allowDeletes, forbidDeletes } from '../../server/db/guards';

const tables = [
  addTable('sv_rule_settings', (t) => {
    t.string('rule_code', 16).primary();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.string('severity', 16).notNullable(); // low | medium | high | critical
    t.text('thresholds_json').notNullable();
    t.integer('updated_by').unsigned().nullable().references('users.id');
    utc(t, 'updated_at').notNullable();
  }),
  addTable('sv_risk_points', (t) => {
    t.increments('id').primary();
    t.string('code', 32).notNullable().unique();
    t.string('post', 100).notNullable(); // the post (岗位) exposed to the risk
    t.string('process', 100).notNullable(); // the process step (流程环节)
    t.string('title', 200).notNullable();
    t.text('description').notNullable();
    t.string('level', 16).notNullable(); // low | medium | high
    t.text('controls').notNullable(); // the control measures (防控措施)
    t.string('status', 16).notNullable().index(); // active | retired
    t.integer('created_by').unsigned().nullable().references('users.id');
    utc(t, 'created_at').notNullable();
    utc(t, 'updated_at').notNullable();
  }),
  addTable('sv_risk_point_rules', (t) => {
    t.integer('risk_point_id').unsigned().notNullable().references('sv_risk_points.id');
    t.string('rule_code', 16).notNullable().index();
    t.primary(['risk_point_id', 'rule_code']);
  }),
  addTable('sv_alerts', (t) => {
    t.increments('id').primary();
    t.string('rule_code', 16).notNullable().index();
    // One alert per rule and subject: a process, a supplier in a period, a requisition group...
    t.string('subject_key', 160).notNullable();
    t.string('subject_type', 32).notNullable();
    t.string('subject_id', 64).notNullable();
    t.string('process_key', 64).nullable().index(); // e.g. competition:12, project:7
    t.integer('org_id').unsigned().nullable().index(); // the purchasing unit concerned
    t.string('severity', 16).notNullable();
    // open | assigned | acknowledged | investigating | closed
    t.string('status', 16).notNullable().index();
    t.text('summary_json').notNullable(); // message parameters (rendered in the user's language)
    t.text('evidence_json').notNullable(); // the figures the rule saw
    t.bigInteger('trigger_seq').nullable(); // the audit event that triggered it
    utc(t, 'trigger_at').nullable();
    utc(t, 'raised_at').notNullable().index();
    t.integer('latency_ms').nullable(); // raised_at - trigger_at, as measured by the engine
    t.integer('assigned_to').unsigned().nullable().references('users.id');
    utc(t, 'assigned_at').nullable();
    utc(t, 'acknowledged_at').nullable();
    utc(t, 'investigation_started_at').nullable();
    utc(t, 'closed_at').nullable();
    t.integer('closed_by').unsigned().nullable().references('users.id');
    t.string('finding', 24).nullable(); // confirmed | unfounded | referred | corrected
    t.text('finding_note').nullable();
    t.integer('risk_point_id').unsigned().nullable().references('sv_risk_points.id');
    t.integer('version').notNullable().defaultTo(1);
    utc(t, 'updated_at').notNullable();
    t.unique(['rule_code', 'subject_key']);
  }),
  addTable('sv_alert_notes', (t) => {
    t.increments('id').primary();
    t.integer('alert_id').unsigned().notNullable().references('sv_alerts.id').index();
    t.integer('author_id').unsigned().notNullable().references('users.id');
    t.string('kind', 16).notNullable(); // note | assignment | acknowledgement | investigation | finding
    t.text('body').notNullable();
    utc(t, 'created_at').notNullable();
  }),
];

export async function up(knex: Knex): Promise<void> {
  for (const create of tables) await create(knex);
  // An alert and its handling record are evidence: no route deletes them, and neither may SQL.
  await forbidDeletes(knex, 'sv_alerts');
  await forbidDeletes(knex, 'sv_alert_notes');
}

export async function down(knex: Knex): Promise<void> {
  await allowDeletes(knex, 'sv_alert_notes');
  await allowDeletes(knex, 'sv_alerts');
  await dropTables('sv_alert_notes', 'sv_alerts', 'sv_risk_point_rules', 'sv_risk_points', 'sv_rule_settings')(knex);
}
