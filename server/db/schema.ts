// Helpers for declarative, re-runnable migrations (after Ghost's migrations/utils/tables.js):
// a table that already exists is skipped, so a half-applied migration can be run again.
import type { Knex } from 'knex';

export function addTable(name: string, build: (t: Knex.CreateTableBuilder) => void) {
  return async (knex: Knex): Promise<void> => {
    if (await knex.schema.hasTable(name)) return;
    const mysql = /mysql/.test(String(knex.client.config.client));
    await knex.schema.createTable(name, (t) => {
      build(t);
      if (mysql) {
        // InnoDB for transactions and row locks; utf8mb4 for Chinese text.
        t.engine('InnoDB');
        t.charset('utf8mb4');
        t.collate('utf8mb4_unicode_ci');
      }
    });
  };
}

export function dropTables(...names: string[]) {
  return async (knex: Knex): Promise<void> => {
    for (const n of names) await knex.schema.dropTableIfExists(n);
  };
}

/** UTC timestamp column (see server/db/time.ts for the stored form). */
export function utc(t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder {
  return t.datetime(name, { precision: 3 });
}

/** Money: integer fen, never a float. */
export function fen(t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder {
  return t.bigInteger(name);
}
