// Shared start for command-line scripts: the same config and database as the server.
import { loadConfig, ConfigError, type Config } from '../server/config';
import { openDb, type Db } from '../server/db/knex';
import { migrateLatest } from '../server/db/migrate';

export async function openFromEnv(): Promise<{ config: Config; db: Db }> {
  try {
    const config = loadConfig(process.env);
    const db = openDb(config);
    await migrateLatest(db);
    return { config, db };
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
