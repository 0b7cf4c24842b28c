// Cluster mode: a report export is claimed with a lease (who runs it, renewed while it runs), so an
// export left by a dead node is taken over by another within seconds, and one still running on a
// live node is never started a second time by a node that starts up.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('report_exports', 'locked_by'))) {
    await knex.schema.alterTable('report_exports', (t) => {
      t.string('locked_by', 80).nullable();
      t.datetime('locked_at', { precision: 3 }).nullable();
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('report_exports', 'locked_by')) {
    await knex.schema.alterTable('report_exports', (t) => {
      t.dropColumn('locked_by');
      t.dropColumn('locked_at');
    });
  }
}
