// Master data: organisations, users and roles, sessions, catalogue, suppliers, experts, budget lines.
import type { Knex } from 'knex';
import { addTable, dropTables, utc, fen } from '../../server/db/schema';

const tables = [
  addTable('organisations', (t) => {
    t.increments('id').primary();
    t.string('code', 32).notNullable().unique();
    t.string('name_zh', 200).notNullable();
    t.string('name_en', 200).notNullable();
    // purchasing_unit | finance_bureau | procurement_centre | supervisors_office
    t.string('kind', 32).notNullable().index();
    t.integer('parent_id').unsigned().nullable().references('organisations.id');
    t.string('department', 100).nullable(); // the government department a unit reports to
    t.string('region', 64).notNullable();
    utc(t, 'created_at').notNullable();
  }),
  addTable('catalogue_categories', (t) => {
    t.increments('id').primary();
    t.string('code', 32).notNullable().unique(); // e.g. A02010104 (goods), C16 (services), B (works)
    t.string('parent_code', 32).nullable().index();
    t.string('kind', 16).notNullable(); // goods | services | works
    t.string('name_zh', 200).notNullable();
    t.string('name_en', 200).notNullable();
    // Framework-agreement catalogue goods are bought by online price competition.
    t.boolean('framework_agreement').notNullable().defaultTo(false);
  }),
  addTable('suppliers', (t) => {
    t.increments('id').primary();
    t.string('name', 200).notNullable();
    t.string('credit_code', 18).notNullable().unique(); // unified social credit code
    t.string('legal_rep', 64).notNullable();
    t.string('address', 255).notNullable();
    t.string('region', 64).notNullable();
    t.string('size', 16).notNullable(); // micro | small | medium | large
    t.string('contact_name', 64).notNullable();
    t.string('contact_phone', 32).notNullable();
    t.string('contact_email', 128).notNullable();
    t.string('status', 16).notNullable().index(); // pending | approved | rejected | more_info
    utc(t, 'created_at').notNullable();
    utc(t, 'updated_at').notNullable();
  }),
  addTable('supplier_categories', (t) => {
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id').onDelete('CASCADE');
    t.string('category_code', 32).notNullable().index();
    t.primary(['supplier_id', 'category_code']);
  }),
  addTable('supplier_brands', (t) => {
    t.increments('id').primary();
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id').onDelete('CASCADE');
    t.string('category_code', 32).notNullable();
    t.string('brand', 100).notNullable();
    t.string('model', 100).notNullable();
    t.index(['category_code', 'brand']);
  }),
  addTable('users', (t) => {
    t.increments('id').primary();
    t.string('username', 64).notNullable().unique();
    t.string('display_name', 100).notNullable();
    t.string('password_hash', 255).notNullable();
    t.integer('org_id').unsigned().nullable().references('organisations.id');
    t.integer('supplier_id').unsigned().nullable().references('suppliers.id'); // the supplier a supplier-role user acts for
    t.string('status', 16).notNullable().defaultTo('active');
    t.boolean('is_demo').notNullable().defaultTo(false);
    t.string('locale', 8).notNullable().defaultTo('zh-CN');
    t.string('time_zone', 64).notNullable().defaultTo('Asia/Shanghai');
    utc(t, 'created_at').notNullable();
    utc(t, 'last_login_at').nullable();
  }),
  addTable('user_roles', (t) => {
    t.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE');
    t.string('role', 16).notNullable();
    t.primary(['user_id', 'role']);
  }),
  addTable('sessions', (t) => {
    t.string('id', 64).primary(); // HMAC of the cookie token: a DB dump cannot be replayed as a cookie
    t.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE');
    t.string('csrf_token', 64).notNullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 255).nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'last_seen_at').notNullable();
    utc(t, 'expires_at').notNullable().index();
  }),
  addTable('experts', (t) => {
    t.increments('id').primary();
    t.string('name', 64).notNullable();
    t.string('employer_name', 200).notNullable();
    // Set when the employer is an organisation or supplier on the platform (conflict exclusion).
    t.integer('employer_org_id').unsigned().nullable().references('organisations.id');
    t.integer('employer_supplier_id').unsigned().nullable().references('suppliers.id');
    t.string('region', 64).notNullable();
    t.string('title', 64).notNullable(); // professional title
    t.string('phone', 32).notNullable();
    t.string('email', 128).notNullable();
    t.string('status', 16).notNullable().index(); // active | suspended | disqualified
    t.integer('max_evaluations_per_quarter').notNullable().defaultTo(12);
    t.integer('rating_milli').notNullable().defaultTo(5000); // 0..5000 = 0.000..5.000 stars
    t.integer('user_id').unsigned().nullable().references('users.id');
    utc(t, 'created_at').notNullable();
  }),
  addTable('expert_specialties', (t) => {
    t.integer('expert_id').unsigned().notNullable().references('experts.id').onDelete('CASCADE');
    t.string('category_code', 32).notNullable().index();
    t.primary(['expert_id', 'category_code']);
  }),
  addTable('budget_lines', (t) => {
    t.increments('id').primary();
    t.string('code', 48).notNullable().unique();
    t.integer('org_id').unsigned().notNullable().references('organisations.id').index();
    t.integer('fiscal_year').notNullable();
    t.string('name', 200).notNullable();
    t.string('economic_class', 16).notNullable(); // government economic classification, e.g. 302 goods & services
    fen(t, 'allocated_fen').notNullable().defaultTo(0);
    fen(t, 'frozen_fen').notNullable().defaultTo(0);
    fen(t, 'spent_fen').notNullable().defaultTo(0);
    utc(t, 'updated_at').notNullable();
  }),
];

export async function up(knex: Knex): Promise<void> {
  for (const create of tables) await create(knex);
}

export const down = dropTables(
  'budget_lines',
  'expert_specialties',
  'experts',
  'supplier_brands',
  'supplier_categories',
  'sessions',
  'user_roles',
  'users',
  'suppliers',
  'catalogue_categories',
  'organisations',
);
