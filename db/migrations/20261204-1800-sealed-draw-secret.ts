// Sealed means sealed (draws): a draw commits to one secret (SHA-256 of it is published) from
// which every round's seed and keyed pool hash derive; the secret is sealed until the reveal.
// Draws made before this keep scheme 1 and stay verifiable. Pool sizes are no longer kept in
// clear while a draw is sealed: the reveal writes them from the opened pool.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('draws', 'scheme'))) {
    await knex.schema.alterTable('draws', (t) => {
      t.integer('scheme').notNullable().defaultTo(1); // 1: per-round seeds, unsalted pool hash; 2: one sealed secret, keyed hashes
      t.string('commitment', 64).nullable(); // scheme 2: SHA-256(secret), published at draw time
      t.text('secret_sealed').nullable(); // scheme 2: the secret, AES-256-GCM under the seal key
      t.string('secret', 64).nullable(); // scheme 2: the secret, published at the reveal
    });
  }
  await knex.schema.alterTable('draw_rounds', (t) => {
    t.integer('pool_size').nullable().alter();
    t.integer('selected_count').nullable().alter();
  });
  // Sealed draws of scheme 1 keep their sizes only inside the sealed pool from now on.
  await knex('draw_rounds').whereIn('draw_id', knex('draws').where({ status: 'sealed' }).select('id')).update({ pool_size: null, selected_count: null });
}

export async function down(knex: Knex): Promise<void> {
  await knex('draw_rounds').whereNull('pool_size').update({ pool_size: 0 });
  await knex('draw_rounds').whereNull('selected_count').update({ selected_count: 0 });
  await knex.schema.alterTable('draw_rounds', (t) => {
    t.integer('pool_size').notNullable().alter();
    t.integer('selected_count').notNullable().alter();
  });
  if (await knex.schema.hasColumn('draws', 'scheme')) {
    await knex.schema.alterTable('draws', (t) => {
      t.dropColumn('scheme');
      t.dropColumn('commitment');
      t.dropColumn('secret_sealed');
      t.dropColumn('secret');
    });
  }
}
