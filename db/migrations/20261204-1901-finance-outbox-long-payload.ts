// A signed audit checkpoint sent to the finance bureau carries up to 5,000 event hashes (about
// 330 KB of JSON): more than a MySQL TEXT column holds. SQLite's TEXT has no such limit.
import type { Knex } from 'knex';

const isMysql = (knex: Knex) => /mysql/.test(String(knex.client.config.client));

export async function up(knex: Knex): Promise<void> {
  if (isMysql(knex)) await knex.schema.alterTable('finance_outbox', (t) => t.text('payload_json', 'longtext').notNullable().alter());
}

export async function down(knex: Knex): Promise<void> {
  if (isMysql(knex)) await knex.schema.alterTable('finance_outbox', (t) => t.text('payload_json').notNullable().alter());
}
