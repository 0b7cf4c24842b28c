// A purchasing unit may ask for invitational tender or competitive consultation with a reason,
// as it asks for single source: the reason is kept with the requisition and judged in approval.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('requisitions', 'method_request_reason')) return;
  await knex.schema.alterTable('requisitions', (t) => {
    t.text('method_request_reason').nullable(); // why invitational tender / competitive consultation
  });
}

export async function down(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('requisitions', 'method_request_reason')) await knex.schema.alterTable('requisitions', (t) => t.dropColumn('method_request_reason'));
}
