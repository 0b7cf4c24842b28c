// A framework agreement's first stage is an OCDS contracting process of its own, not a project:
// its releases name the agreement (project_id stays 0 for them, as no project exists).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('ocds_releases', 'framework_agreement_id')) return;
  await knex.schema.alterTable('ocds_releases', (t) => {
    t.integer('framework_agreement_id').unsigned().nullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('ocds_releases', 'framework_agreement_id')) await knex.schema.alterTable('ocds_releases', (t) => t.dropColumn('framework_agreement_id'));
}
