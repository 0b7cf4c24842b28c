// Jobs hand over (cluster issue): a claimed job names the process that holds it, and that process
// renews `locked_at` while the job runs, so a job left by a dead process is taken over after a
// short lease (seconds) instead of the old five-minute stale lock, and a process that lost its
// lease cannot mark a job another process has since claimed as done.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('scheduled_jobs', 'locked_by'))) {
    await knex.schema.alterTable('scheduled_jobs', (t) => t.string('locked_by', 80).nullable());
  }
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('scheduled_jobs', 'locked_by')) await knex.schema.alterTable('scheduled_jobs', (t) => t.dropColumn('locked_by'));
}
