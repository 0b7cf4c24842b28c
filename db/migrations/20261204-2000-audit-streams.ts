// Issue 17, point 5: the audit chain head stops being a global lock. Each event now belongs to a
// stream (`auction:<id>`, `tender:<id>`, `project:<id>`, `draw:<id>`, else `platform`) with its
// own chain (`stream_seq` 1..N, `prev_hash` within the stream) and its own head row
// (audit_stream_heads), so unrelated transactions lock unrelated heads. The former single chain
// becomes the `global` stream's history: its events keep their seq and hashes (hash_v 1), the
// signed checkpoints already published stay valid, and the chain continues with the cross-link
// events that list every stream's head (audit_chain_head stays the global head). `seq` becomes
// the event's number (for new events, taken from audit_seq_alloc, and equal to the row id).
import type { Knex } from 'knex';
import { addTable } from '../../server/db/schema';

const isMysql = (knex: Knex) => /mysql/.test(String(knex.client.config.client));

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('audit_events', 'stream'))) {
    await knex.schema.alterTable('audit_events', (t) => {
      t.string('stream', 64).nullable();
      t.bigInteger('stream_seq').nullable();
      t.string('anchor', 64).nullable(); // a global cross-link hash woven into this stream
      t.tinyint('hash_v').notNullable().defaultTo(1);
    });
  }
  await knex('audit_events').whereNull('stream').update({ stream: 'global', stream_seq: knex.ref('seq') });
  if (isMysql(knex)) {
    await knex.raw('ALTER TABLE audit_events MODIFY seq BIGINT NULL, MODIFY stream VARCHAR(64) NOT NULL, MODIFY stream_seq BIGINT NOT NULL');
  } else {
    // SQLite cannot change a column's nullability in place: knex rebuilds the table (indexes kept).
    const cols: Array<{ name: string; notnull: number }> = await knex.raw("PRAGMA table_info('audit_events')");
    if (cols.find((c) => c.name === 'seq')?.notnull) {
      await knex.schema.alterTable('audit_events', (t) => {
        t.bigInteger('seq').nullable().alter();
        t.string('stream', 64).notNullable().alter();
        t.bigInteger('stream_seq').notNullable().alter();
      });
    }
  }
  const hasIndex = isMysql(knex)
    ? ((await knex.raw("SHOW INDEX FROM audit_events WHERE Key_name = 'audit_events_stream_seq_unique'"))[0] as unknown[]).length > 0
    : ((await knex.raw("PRAGMA index_list('audit_events')")) as Array<{ name: string }>).some((i) => i.name === 'audit_events_stream_seq_unique');
  if (!hasIndex) await knex.schema.alterTable('audit_events', (t) => t.unique(['stream', 'stream_seq'], { indexName: 'audit_events_stream_seq_unique' }));
  // `seq` (the row id for new events) keeps a plain index, not a unique one: numbering a row
  // inserts its seq into that index, and InnoDB's duplicate check on a unique index locks the
  // next entry, often another stream's uncommitted event: transactions of unrelated streams
  // would wait for each other again.
  const seqUnique = isMysql(knex)
    ? ((await knex.raw("SHOW INDEX FROM audit_events WHERE Key_name = 'audit_events_seq_unique'"))[0] as unknown[]).length > 0
    : ((await knex.raw("PRAGMA index_list('audit_events')")) as Array<{ name: string }>).some((i) => i.name === 'audit_events_seq_unique');
  if (seqUnique) {
    await knex.schema.alterTable('audit_events', (t) => {
      t.dropUnique(['seq'], 'audit_events_seq_unique');
      t.index(['seq'], 'audit_events_seq_index');
    });
  }

  // Event numbers for new events (their seq and row id), above every number used so far.
  if (!(await knex.schema.hasTable('audit_seq_alloc'))) {
    await addTable('audit_seq_alloc', (t) => {
      t.bigIncrements('id').primary();
    })(knex);
    const max = await knex('audit_events').max({ id: 'id', seq: 'seq' }).first();
    const start = Math.max(Number(max?.id ?? 0), Number(max?.seq ?? 0));
    if (start > 0) await knex('audit_seq_alloc').insert({ id: start });
  }
  await addTable('audit_stream_heads', (t) => {
    t.string('stream', 64).primary();
    t.bigInteger('last_seq').notNullable();
    t.string('last_hash', 64).notNullable();
    t.string('anchor', 64).nullable(); // the cross-link the stream's next event will carry
    t.bigInteger('linked_seq').notNullable().defaultTo(0); // the last stream_seq a cross-link listed
  })(knex);
  // Where each stream head was listed in the global chain: finds the cross-link (and so the signed
  // checkpoint) that covers an event. An index over the listings hashed in the cross-link events.
  await addTable('audit_cross_links', (t) => {
    t.string('stream', 64).notNullable();
    t.bigInteger('stream_seq').notNullable();
    t.bigInteger('global_seq').notNullable();
    t.string('hash', 64).notNullable();
    t.primary(['stream', 'stream_seq']);
    t.index(['global_seq']);
  })(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('audit_seq_alloc');
  await knex.schema.dropTableIfExists('audit_cross_links');
  await knex.schema.dropTableIfExists('audit_stream_heads');
}
