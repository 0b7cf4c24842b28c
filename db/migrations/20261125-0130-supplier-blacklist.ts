// Supplier blacklist (失信名单 / 禁止参加政府采购活动): a period during which the supplier may not act.
import type { Knex } from 'knex';
import { addTable, dropTables, utc } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  await addTable('supplier_blacklist', (t) => {
    t.increments('id').primary();
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id').index();
    t.string('reason', 500).notNullable();
    t.string('source', 200).notNullable(); // the deciding authority and document number
    utc(t, 'starts_at').notNullable();
    utc(t, 'ends_at').notNullable();
    utc(t, 'lifted_at').nullable(); // lifted early by a decision
    t.integer('created_by').unsigned().nullable();
    utc(t, 'created_at').notNullable();
  })(knex);
}

export const down = dropTables('supplier_blacklist');
