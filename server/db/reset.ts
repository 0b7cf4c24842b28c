// Drops every table of the database (the demo seed's clean slate after a failed first start).
// Tables are dropped in whatever order the foreign keys allow: a table still referenced by rows
// elsewhere is retried after the others, so no dialect switch for foreign keys is needed.
import type { Db } from './knex';

export async function listTables(db: Db): Promise<string[]> {
  if (db.dialect === 'sqlite') {
    const rows = await db.raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
    return (rows as Array<{ name: string }>).map((r) => r.name);
  }
  const [rows] = await db.raw('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()');
  return (rows as Array<{ name: string }>).map((r) => r.name);
}

export async function dropAllTables(db: Db): Promise<void> {
  let left = await listTables(db);
  while (left.length) {
    const failed: string[] = [];
    let lastErr: unknown = null;
    for (const name of left) {
      try {
        await db.schema.dropTableIfExists(name);
      } catch (err) {
        failed.push(name);
        lastErr = err;
      }
    }
    if (failed.length === left.length) throw lastErr;
    left = failed;
  }
}
