// Runs the knex migrations kept in db/migrations (TypeScript files named by date and time,
// so their order is obvious). Each migration module exports up(knex) and down(knex).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations');

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const source: Knex.MigrationSource<string> = {
  async getMigrations() {
    return fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d{8}-\d{4}-[\w-]+\.ts$/.test(f))
      .sort();
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name): Promise<Knex.Migration> {
    const mod = (await import(pathToFileURL(path.join(MIGRATIONS_DIR, name)).href)) as MigrationModule;
    return { up: mod.up, down: mod.down };
  },
};

const config = { migrationSource: source, tableName: 'knex_migrations' } as Knex.MigratorConfig;

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, log] = await db.migrate.latest(config);
  return log as string[];
}

/** Applies the migrations up to and including `last` (by file name): tests of a migration over data shaped by the code before it. */
export async function migrateUpTo(db: Knex, last: string): Promise<string[]> {
  const upTo: Knex.MigrationSource<string> = { ...source, getMigrations: async () => (await source.getMigrations([])).filter((name) => name <= last) };
  const [, log] = await db.migrate.latest({ ...config, migrationSource: upTo });
  return log as string[];
}

export async function rollbackAll(db: Knex): Promise<string[]> {
  const [, log] = await db.migrate.rollback(config, true);
  return log as string[];
}
