// Signed checkpoints of the audit chain head (issue 16): each row is a head (seq, hash) signed
// with the platform's Ed25519 key (kept outside the database), plus the hashes of the events it
// covers since the previous checkpoint, so a saved copy can name the first rewritten event.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('audit_checkpoints')) return;
  await knex.schema.createTable('audit_checkpoints', (t) => {
    t.increments('id').primary();
    t.bigInteger('seq').notNullable().unique(); // the chain head signed
    t.string('hash', 64).notNullable();
    t.bigInteger('from_seq').notNullable(); // first event covered (previous checkpoint's seq + 1)
    t.text('event_hashes', 'longtext').notNullable(); // hashes of events from_seq..seq, concatenated hex
    t.string('signed_at', 32).notNullable(); // ISO time inside the signed statement
    t.string('reason', 16).notNullable(); // interval | day_end | manual
    t.string('key_id', 16).notNullable();
    t.string('signature', 128).notNullable(); // Ed25519, hex
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('audit_checkpoints');
}
