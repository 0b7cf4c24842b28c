// Issue 17 (and the cluster issue's second defect): one auction.bids_accepted audit event lists
// every bid of a competition's batch (about 150 bytes a bid), which overflowed MySQL's TEXT
// (64 KB) for a batch of a few hundred bids and refused the whole batch. MEDIUMTEXT holds 16 MB
// (over 100,000 bids; a batch is at most 2,000). SQLite's TEXT has no such limit.
// Also the one-row table the readiness check's commit probe writes to.
import type { Knex } from 'knex';
import { addTable, utc } from '../../server/db/schema';

const isMysql = (knex: Knex) => /mysql/.test(String(knex.client.config.client));

export async function up(knex: Knex): Promise<void> {
  if (isMysql(knex)) await knex.raw('ALTER TABLE audit_events MODIFY before_json MEDIUMTEXT NULL, MODIFY after_json MEDIUMTEXT NULL');
  await addTable('platform_probe', (t) => {
    t.integer('id').primary();
    t.bigInteger('probes').notNullable().defaultTo(0);
    utc(t, 'probed_at').nullable();
  })(knex);
  if (!(await knex('platform_probe').where({ id: 1 }).first())) await knex('platform_probe').insert({ id: 1, probes: 0, probed_at: null });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('platform_probe');
  // Back to TEXT only when every row fits (a rollback never truncates the audit trail).
  if (isMysql(knex)) {
    const big = await knex('audit_events').whereRaw('LENGTH(after_json) > 65535 OR LENGTH(before_json) > 65535').first('id');
    if (!big) await knex.raw('ALTER TABLE audit_events MODIFY before_json TEXT NULL, MODIFY after_json TEXT NULL');
  }
}
