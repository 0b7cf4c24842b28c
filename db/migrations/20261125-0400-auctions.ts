// Online price competitions (网上竞价): live reverse auctions for framework-agreement goods.
import type { Knex } from 'knex';
import { addTable, dropTables, utc, fen } from '../../server/db/schema';

const tables = [
  addTable('auctions', (t) => {
    t.increments('id').primary();
    t.string('code', 32).notNullable().unique(); // public reference, e.g. WSJJ-2026-0007
    t.string('title', 200).notNullable();
    t.text('lot_description').notNullable();
    t.integer('quantity').notNullable();
    t.string('unit', 16).notNullable();
    t.string('category_code', 32).notNullable().index();
    fen(t, 'ceiling_fen').notNullable(); // the budget: no bid above it
    t.string('decrement_kind', 16).notNullable(); // absolute | percent
    // absolute: fen; percent: basis points (1/100 of a percent) of the current best price
    t.integer('decrement_value').notNullable();
    utc(t, 'starts_at').notNullable();
    t.integer('duration_sec').notNullable();
    t.integer('extension_sec').notNullable(); // anti-sniping window N
    t.integer('max_extension_sec').nullable(); // hard cap on all extensions together (null: none)
    t.string('visibility', 16).notNullable(); // best_price | ladder | rank_only
    t.integer('min_suppliers').notNullable();
    t.integer('min_brands').notNullable();
    // draft | announced | running | suspended | closed | failed
    t.string('status', 16).notNullable().index();
    utc(t, 'ends_at').nullable(); // the current end (moves with extensions and resumes)
    utc(t, 'hard_end_at').nullable();
    t.bigInteger('remaining_ms').nullable(); // while suspended
    t.string('status_reason', 500).nullable(); // suspension or failure reason
    t.string('failure_code', 32).nullable();
    t.integer('last_seq').notNullable().defaultTo(0);
    t.integer('bid_count').notNullable().defaultTo(0);
    fen(t, 'best_fen').nullable();
    t.integer('best_supplier_id').unsigned().nullable();
    t.integer('winner_supplier_id').unsigned().nullable();
    fen(t, 'winner_price_fen').nullable();
    fen(t, 'savings_fen').nullable();
    // Set once the workflow body lands (no foreign key yet: its tables do not exist).
    t.integer('requisition_id').unsigned().nullable().index();
    t.integer('project_id').unsigned().nullable().index();
    t.integer('org_id').unsigned().nullable().references('organisations.id'); // the purchasing unit
    t.integer('created_by').unsigned().nullable();
    utc(t, 'created_at').notNullable();
    utc(t, 'announced_at').nullable();
    utc(t, 'opened_at').nullable();
    utc(t, 'closed_at').nullable();
    utc(t, 'updated_at').notNullable();
  }),
  addTable('auction_participants', (t) => {
    t.increments('id').primary();
    t.integer('auction_id').unsigned().notNullable().references('auctions.id').onDelete('CASCADE');
    t.integer('supplier_id').unsigned().notNullable().references('suppliers.id');
    t.string('label', 8).notNullable(); // A, B, C ... shown instead of the name while running
    t.string('brand', 100).notNullable();
    t.string('model', 100).notNullable();
    t.integer('user_id').unsigned().nullable();
    t.string('ip', 64).nullable();
    t.string('device_id', 64).nullable();
    utc(t, 'joined_at').notNullable();
    t.unique(['auction_id', 'supplier_id']);
    t.unique(['auction_id', 'label']);
  }),
  addTable('auction_bids', (t) => {
    t.bigIncrements('id').primary();
    t.integer('auction_id').unsigned().notNullable().references('auctions.id').onDelete('CASCADE');
    t.integer('seq').notNullable(); // per-competition order of acceptance
    t.integer('supplier_id').unsigned().notNullable();
    fen(t, 'amount_fen').notNullable();
    t.string('client_bid_id', 64).notNullable();
    t.integer('user_id').unsigned().nullable();
    t.string('ip', 64).nullable();
    t.string('device_id', 64).nullable();
    utc(t, 'accepted_at').notNullable();
    t.unique(['auction_id', 'seq']);
    t.unique(['auction_id', 'supplier_id', 'client_bid_id']);
  }),
];

export async function up(knex: Knex): Promise<void> {
  for (const create of tables) await create(knex);
}

export const down = dropTables('auction_bids', 'auction_participants', 'auctions');
