// The holiday calendar covers every year: an admin's confirmation of a year whose arrangement was
// computed (provisional), and an English name for a city's own days.
import type { Knex } from 'knex';
import { addTable, utc } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  await addTable('calendar_years', (t) => {
    t.integer('year').primary();
    utc(t, 'confirmed_at').notNullable();
    t.integer('confirmed_by').unsigned().nullable(); // the admin's user id (the audit trail has the rest)
    t.text('days_json').notNullable(); // the built-in days confirmed: [{day, kind, nameZh, nameEn, source}]
  })(knex);
  if (!(await knex.schema.hasColumn('calendar_days', 'name_en'))) {
    await knex.schema.alterTable('calendar_days', (t) => {
      t.string('name_en', 100).nullable(); // null: the name serves both languages
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('calendar_days', 'name_en')) await knex.schema.alterTable('calendar_days', (t) => t.dropColumn('name_en'));
  await knex.schema.dropTableIfExists('calendar_years');
}
