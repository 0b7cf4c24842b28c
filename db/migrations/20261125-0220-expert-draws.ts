// The sealed expert draw. Before reveal nothing here names a drawn expert in clear: the seed,
// the pool and the result are AES-256-GCM ciphertext under a key kept outside the database,
// invitations are found by an HMAC tag, and the outbox payload is encrypted too.
import type { Knex } from 'knex';
import { addTable, dropTables, utc } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  await addTable('draws', (t) => {
    t.increments('id').primary();
    t.string('project_ref', 64).notNullable().index();
    t.integer('project_id').unsigned().nullable(); // wired to projects later; no FK on purpose
    t.integer('purchasing_org_id').unsigned().notNullable().references('organisations.id');
    t.text('supplier_ids_json').notNullable(); // participating suppliers (conflict exclusion)
    t.text('groups_json').notNullable(); // [{specialty, count}]
    t.integer('total_count').notNullable();
    utc(t, 'evaluation_at').notNullable();
    t.string('evaluation_place', 200).notNullable();
    utc(t, 'reveal_at').notNullable();
    t.integer('response_minutes').notNullable();
    t.string('status', 16).notNullable().index(); // sealed | revealed
    t.integer('confirmed_count').notNullable().defaultTo(0);
    t.integer('shortfall').notNullable().defaultTo(0); // seats no replacement could fill
    t.integer('requested_by').unsigned().nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'revealed_at').nullable();
    t.text('panel_json').nullable(); // published at reveal: who was drawn and how they answered
  })(knex);
  await addTable('draw_rounds', (t) => {
    t.increments('id').primary();
    t.integer('draw_id').unsigned().notNullable().references('draws.id').onDelete('CASCADE');
    t.integer('round_no').notNullable();
    t.string('kind', 16).notNullable(); // initial | replacement
    t.string('commitment', 64).notNullable(); // SHA-256(seed), published at draw time
    t.string('pool_hash', 64).notNullable(); // SHA-256(canonical pool), published at draw time
    t.integer('pool_size').notNullable();
    t.integer('selected_count').notNullable();
    t.text('seed_sealed').notNullable();
    t.text('pool_sealed').notNullable();
    t.text('result_sealed').notNullable();
    // Published at reveal.
    t.string('seed', 64).nullable();
    t.text('pool_json').nullable();
    t.text('result_json').nullable();
    utc(t, 'created_at').notNullable();
    t.unique(['draw_id', 'round_no']);
  })(knex);
  await addTable('draw_invitations', (t) => {
    t.increments('id').primary();
    t.integer('draw_id').unsigned().notNullable().references('draws.id').onDelete('CASCADE').index();
    t.integer('round_id').unsigned().notNullable().references('draw_rounds.id').onDelete('CASCADE');
    t.string('tag', 64).notNullable().unique(); // HMAC(tagKey, drawId:expertId): only the expert can find it
    t.text('payload_sealed').notNullable();
    t.string('status', 16).notNullable(); // pending | accepted | declined | no_answer
    t.integer('replacement_round_id').unsigned().nullable();
    utc(t, 'deadline_at').notNullable();
    utc(t, 'responded_at').nullable();
    utc(t, 'created_at').notNullable();
  })(knex);
  await addTable('draw_notification_outbox', (t) => {
    t.increments('id').primary();
    t.string('channel', 16).notNullable(); // sms | email
    t.text('payload_sealed').notNullable(); // recipient and message, encrypted
    t.string('status', 16).notNullable().index(); // pending | sent | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('last_error', 500).nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'sent_at').nullable();
  })(knex);
}

export const down = dropTables('draw_notification_outbox', 'draw_invitations', 'draw_rounds', 'draws');
