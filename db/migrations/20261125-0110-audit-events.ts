// The tamper-evident audit trail: one row per state change, hash-chained.
import type { Knex } from 'knex';
import { addTable, dropTables, utc } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  await addTable('audit_events', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('seq').notNullable().unique(); // position in the chain, 1..N without gaps
    utc(t, 'occurred_at').notNullable().index();
    t.integer('actor_id').nullable(); // null for system jobs
    t.string('actor_role', 32).notNullable(); // role, or 'system:<job>'
    t.string('action', 96).notNullable().index();
    t.string('entity_type', 48).notNullable();
    t.string('entity_id', 64).notNullable();
    t.text('before_json').nullable();
    t.text('after_json').nullable();
    t.string('request_id', 64).nullable();
    t.string('ip', 64).nullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.index(['entity_type', 'entity_id']);
  })(knex);
  // A single row holding the chain's head: locking it serialises chain appends on MySQL.
  await addTable('audit_chain_head', (t) => {
    t.integer('id').primary();
    t.bigInteger('last_seq').notNullable();
    t.string('last_hash', 64).notNullable();
  })(knex);
  const head = await knex('audit_chain_head').where({ id: 1 }).first();
  if (!head) await knex('audit_chain_head').insert({ id: 1, last_seq: 0, last_hash: '0'.repeat(64) });
}

export const down = dropTables('audit_chain_head', 'audit_events');
