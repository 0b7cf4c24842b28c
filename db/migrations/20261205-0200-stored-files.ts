// Cluster mode: uploaded files (requisition attachments, notice files) and finished report
// exports live in the database, which every node reads, instead of one node's DATA_DIR. A file
// is split into chunks of at most 1 MB (one row each), well under MariaDB's max_allowed_packet.
import type { Knex } from 'knex';
import { addTable, dropTables, utc } from '../../server/db/schema';

const isMysql = (knex: Knex) => /mysql/.test(String(knex.client.config.client));

export async function up(knex: Knex): Promise<void> {
  await addTable('stored_files', (t) => {
    t.string('store', 32).notNullable(); // requisitions, notices, exports
    t.string('name', 128).notNullable(); // a sha256 for content-addressed stores, else a file name
    t.bigInteger('size').notNullable();
    t.integer('chunks').notNullable();
    t.string('sha256', 64).notNullable();
    utc(t, 'created_at').notNullable();
    t.primary(['store', 'name']);
  })(knex);
  await addTable('stored_file_chunks', (t) => {
    t.string('store', 32).notNullable();
    t.string('name', 128).notNullable();
    t.integer('part').notNullable();
    t.specificType('bytes', isMysql(knex) ? 'MEDIUMBLOB' : 'BLOB').notNullable();
    t.primary(['store', 'name', 'part']);
  })(knex);
}

export const down = dropTables('stored_file_chunks', 'stored_files');
