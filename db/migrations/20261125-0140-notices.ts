// Public notices (公告): every kind the portal shows, published by the module that owns the step.
import type { Knex } from 'knex';
import { addTable, dropTables, utc, fen } from '../../server/db/schema';

export async function up(knex: Knex): Promise<void> {
  await addTable('notices', (t) => {
    t.increments('id').primary();
    // intention | tender | competition | amendment | clarification | single_source | failure | award | contract | other
    t.string('kind', 32).notNullable().index();
    t.string('title_zh', 300).notNullable();
    t.string('title_en', 300).notNullable();
    t.text('body_zh').notNullable();
    t.text('body_en').notNullable();
    t.integer('org_id').unsigned().nullable().references('organisations.id').index(); // purchasing unit
    t.string('category_code', 32).nullable().index();
    t.string('method', 32).nullable().index();
    fen(t, 'amount_fen').nullable(); // budget, ceiling or award amount the notice states
    t.string('project_ref', 64).nullable().index(); // the project's public reference (ocid suffix)
    t.string('source_type', 32).notNullable(); // the owning entity type, e.g. 'auction', 'tender', 'project'
    t.string('source_id', 64).notNullable();
    t.text('attachments_json').nullable(); // [{name, url, sha256}]
    utc(t, 'published_at').notNullable().index();
    t.integer('published_by').unsigned().nullable();
    t.unique(['source_type', 'source_id', 'kind']);
  })(knex);
}

export const down = dropTables('notices');
