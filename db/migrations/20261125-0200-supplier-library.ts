// Supplier library: portal registration history, contacts, qualification reviews, change requests
// to an approved profile (go back to review), and the credit record (bad-conduct entries).
import type { Knex } from 'knex';
import { addTable, dropTables, utc } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  await addTable('supplier_contacts', (t) => {
    t.increments('id').primary();
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id').onDelete('CASCADE').index();
    t.string('name', 64).notNullable();
    t.string('position', 64).notNullable(); // e.g. sales manager, bid contact
    t.string('phone', 32).notNullable();
    t.string('email', 128).notNullable();
  })(knex);
  // Every decision on an application or a change request, newest last.
  await addTable('supplier_reviews', (t) => {
    t.increments('id').primary();
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id').onDelete('CASCADE').index();
    t.integer('change_request_id').unsigned().nullable();
    t.string('decision', 16).notNullable(); // submitted | approve | reject | request_more
    t.string('reason', 1000).nullable();
    t.integer('decided_by').unsigned().nullable();
    utc(t, 'decided_at').notNullable();
  })(knex);
  // A change to an approved supplier's qualifications waits here; the approved profile stays in force.
  await addTable('supplier_change_requests', (t) => {
    t.increments('id').primary();
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id').onDelete('CASCADE').index();
    t.text('changes_json').notNullable();
    t.string('status', 16).notNullable(); // pending | approved | rejected | withdrawn
    t.string('reason', 1000).nullable();
    t.integer('submitted_by').unsigned().nullable();
    utc(t, 'submitted_at').notNullable();
    t.integer('decided_by').unsigned().nullable();
    utc(t, 'decided_at').nullable();
  })(knex);
  await addTable('supplier_credit_records', (t) => {
    t.increments('id').primary();
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id').onDelete('CASCADE').index();
    t.string('kind', 32).notNullable(); // false_documents | collusion | breach_of_contract | late_delivery | quality | other
    t.string('description', 1000).notNullable();
    t.string('source', 200).notNullable(); // authority and document number
    t.date('occurred_on').notNullable();
    t.integer('recorded_by').unsigned().nullable();
    utc(t, 'created_at').notNullable();
  })(knex);
  const hasCols = await knex.schema.hasColumn('suppliers', 'review_reason');
  if (!hasCols) {
    await knex.schema.alterTable('suppliers', (t) => {
      t.string('review_reason', 1000).nullable(); // the last rejection / request-more reason, shown to the supplier
      t.string('website', 200).nullable();
      t.integer('registered_capital_wan').nullable(); // 万元
    });
  }
  if (!(await knex.schema.hasColumn('supplier_blacklist', 'lift_reason'))) {
    await knex.schema.alterTable('supplier_blacklist', (t) => {
      t.string('lift_reason', 500).nullable();
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('supplier_blacklist', 'lift_reason')) await knex.schema.alterTable('supplier_blacklist', (t) => t.dropColumn('lift_reason'));
  if (await knex.schema.hasColumn('suppliers', 'review_reason')) {
    await knex.schema.alterTable('suppliers', (t) => {
      t.dropColumn('review_reason');
      t.dropColumn('website');
      t.dropColumn('registered_capital_wan');
    });
  }
  await dropTables('supplier_credit_records', 'supplier_change_requests', 'supplier_reviews', 'supplier_contacts')(knex);
}
