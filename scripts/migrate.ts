// npm run migrate [-- rollback] — applies (or rolls back all) migrations.
import { loadConfig } from '../server/config';
import { openDb } from '../server/db/knex';
import { migrateLatest, rollbackAll } from '../server/db/migrate';

const db = openDb(loadConfig(process.env));
const log = process.argv[2] === 'rollback' ? await rollbackAll(db) : await migrateLatest(db);
console.log(log.length ? log.join('\n') : 'nothing to do');
await db.destroy();
