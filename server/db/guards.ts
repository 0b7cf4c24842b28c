// Database-level guards that some tables need beyond the application's own rules
// (e.g. supervision alerts may never be deleted). Dialect-specific SQL lives here.
import type { Knex } from 'knex';

const isMysql = (knex: Knex) => /mysql/.test(String(knex.client.config.client));

/** A trigger that refuses every DELETE on the table, whatever the client. */
export async function forbidDeletes(knex: Knex, table: string): Promise<void> {
  const name = `${table}_no_delete`;
  if (isMysql(knex)) {
    await knex.raw(`DROP TRIGGER IF EXISTS \`${name}\``);
    await knex.raw(`CREATE TRIGGER \`${name}\` BEFORE DELETE ON \`${table}\` FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'rows of ${table} cannot be deleted'`);
  } else {
    await knex.raw(`DROP TRIGGER IF EXISTS "${name}"`);
    await knex.raw(`CREATE TRIGGER "${name}" BEFORE DELETE ON "${table}" BEGIN SELECT RAISE(ABORT, 'rows of ${table} cannot be deleted'); END`);
  }
}

export async function allowDeletes(knex: Knex, table: string): Promise<void> {
  const name = `${table}_no_delete`;
  await knex.raw(isMysql(knex) ? `DROP TRIGGER IF EXISTS \`${name}\`` : `DROP TRIGGER IF EXISTS "${name}"`);
}
