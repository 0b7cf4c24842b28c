// The supplier invitation draw: a verifiable random draw of suppliers from the library, its
// result sealed until the bids close. Invitations are found by a keyed tag (HMAC of subject and
// supplier under a key derived from the seal key, never stored), so the table says who is invited
// to nobody without the key: not an operator, not a database reader.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('supplier_draws'))) {
    await knex.schema.createTable('supplier_draws', (t) => {
      t.increments('id').primary();
      t.string('subject_type', 32).notNullable(); // project (invitational tender), consultation, ...
      t.integer('subject_id').notNullable();
      t.string('subject_ref', 64).notNullable();
      t.string('category_code', 32).notNullable();
      t.integer('invited_count').notNullable();
      t.integer('scheme').notNullable().defaultTo(2); // selection.ts scheme 2, one round
      t.string('commitment', 64).notNullable(); // SHA-256(secret), published when drawn
      t.string('pool_hash', 64).notNullable(); // keyed pool hash of round 1, published when drawn
      t.text('secret_sealed').notNullable();
      t.text('pool_sealed').notNullable();
      t.text('result_sealed').notNullable();
      t.string('status', 16).notNullable(); // sealed | revealed
      t.datetime('reveal_at').notNullable();
      t.integer('requested_by').nullable();
      t.datetime('created_at').notNullable();
      // After the reveal only: the secret, the round seed, the pool and the result in clear.
      t.string('secret', 64).nullable();
      t.string('seed', 64).nullable();
      t.text('pool_json').nullable();
      t.text('result_json').nullable();
      t.datetime('revealed_at').nullable();
      t.index(['subject_type', 'subject_id']);
      t.index(['status', 'reveal_at']);
    });
  }
  if (!(await knex.schema.hasTable('supplier_invitations'))) {
    await knex.schema.createTable('supplier_invitations', (t) => {
      t.increments('id').primary();
      t.string('subject_type', 32).notNullable();
      t.integer('subject_id').notNullable();
      t.integer('draw_id').unsigned().nullable().references('supplier_draws.id'); // null: invited after prequalification
      t.string('source', 24).notNullable(); // draw | prequalification
      t.string('tag', 64).notNullable().unique(); // HMAC(subject, supplier): how a supplier finds its own
      t.text('payload_sealed').notNullable(); // { supplierId }
      t.datetime('reveal_at').notNullable();
      t.datetime('created_at').notNullable();
      t.index(['subject_type', 'subject_id']);
    });
  }
  // Invitational tender by prequalification: suppliers apply to the published notice, the
  // procurement centre qualifies them; the qualified are then invited (sealed as drawn ones are).
  if (!(await knex.schema.hasTable('prequalification_applications'))) {
    await knex.schema.createTable('prequalification_applications', (t) => {
      t.increments('id').primary();
      t.integer('project_id').unsigned().notNullable().references('procurement_projects.id');
      t.integer('supplier_id').unsigned().notNullable().references('suppliers.id');
      t.text('statement').notNullable();
      t.string('status', 16).notNullable(); // applied | qualified | rejected
      t.text('reason').nullable();
      t.datetime('applied_at').notNullable();
      t.datetime('decided_at').nullable();
      t.integer('decided_by').nullable();
      t.unique(['project_id', 'supplier_id']);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('prequalification_applications');
  await knex.schema.dropTableIfExists('supplier_invitations');
  await knex.schema.dropTableIfExists('supplier_draws');
}
