// A benchmark's own MariaDB database, dropped and created afresh at DATABASE_URL's server.
import knexFactory from 'knex';
import { mysqlServer } from '../../server/db/knex';

export async function freshDatabase(name: string): Promise<string> {
  const base = new URL(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const admin = knexFactory({ client: 'mysql2', connection: mysqlServer(base) });
  await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.destroy();
  base.pathname = `/${name}`;
  return base.toString();
}
