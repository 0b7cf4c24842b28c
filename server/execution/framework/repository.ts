// Reading framework agreements: the agreement with its items, entries and their prices, orders.
import type { Knex } from 'knex';
import { isoFromDb } from '../../db/time';
import { effectiveStatus } from './rules';

export interface EntryView {
  entryId: number;
  supplierId: number;
  supplierName: string;
  creditCode: string;
  rank: number;
  totalFen: number;
  signedAt: string | null;
  prices: Array<{ itemId: number; categoryCode: string; unitPriceFen: number; brand: string; model: string }>;
}

export async function entriesWithPrices(db: Knex, agreementId: number): Promise<EntryView[]> {
  const entries = await db('framework_entries as e').join('suppliers as s', 's.id', 'e.supplier_id').where('e.agreement_id', agreementId).orderBy('e.rank').select('e.*', 's.name as supplier_name', 's.credit_code');
  const prices = entries.length
    ? await db('framework_entry_prices as p').join('framework_agreement_items as i', 'i.id', 'p.item_id').whereIn('p.entry_id', entries.map((e: any) => e.id)).orderBy('i.line_no').select('p.*', 'i.category_code')
    : [];
  return entries.map((e: any) => ({
    entryId: e.id,
    supplierId: e.supplier_id,
    supplierName: e.supplier_name,
    creditCode: e.credit_code,
    rank: e.rank,
    totalFen: Number(e.total_fen),
    signedAt: isoFromDb(e.signed_at),
    prices: prices.filter((p: any) => p.entry_id === e.id).map((p: any) => ({ itemId: p.item_id, categoryCode: p.category_code, unitPriceFen: Number(p.unit_price_fen), brand: p.brand, model: p.model })),
  }));
}

export const orderFromRow = (o: any) => ({
  id: o.id,
  agreementId: o.agreement_id,
  projectId: o.project_id,
  mode: o.mode,
  supplierId: o.supplier_id,
  ceilingFen: Number(o.ceiling_fen),
  amountFen: o.amount_fen === null ? null : Number(o.amount_fen),
  reason: o.reason,
  auctionId: o.auction_id,
  createdAt: isoFromDb(o.created_at),
});

export function agreementFromRow(a: any, today: string) {
  return {
    id: a.id,
    ref: a.ref,
    title: a.title,
    categoryCode: a.category_code,
    categoryKind: a.category_kind,
    evaluationMethod: a.evaluation_method,
    entryConditions: a.entry_conditions,
    secondStageModes: String(a.second_stage_modes).split(',').filter(Boolean),
    termStart: a.term_start,
    termEnd: a.term_end,
    responseDeadline: isoFromDb(a.response_deadline),
    status: effectiveStatus(a.status, a.term_end, today),
    failureReason: a.failure_reason,
    callPublishedAt: isoFromDb(a.call_published_at),
    openedAt: isoFromDb(a.opened_at),
    keyWindowEndsAt: isoFromDb(a.key_window_ends_at),
    entriesPublishedAt: isoFromDb(a.entries_published_at),
    createdAt: isoFromDb(a.created_at),
  };
}

export async function items(db: Knex, agreementId: number) {
  return (await db('framework_agreement_items').where({ agreement_id: agreementId }).orderBy('line_no')).map((i: any) => ({ id: i.id, lineNo: i.line_no, categoryCode: i.category_code, name: i.name, specification: i.specification, unit: i.unit, maxPriceFen: Number(i.max_price_fen) }));
}

/** The orders placed within an agreement, with their project's result (public facts only). */
export async function ordersOf(db: Knex, agreementId: number) {
  const rows = await db('framework_orders as o')
    .join('procurement_projects as p', 'p.id', 'o.project_id')
    .join('organisations as g', 'g.id', 'p.org_id')
    .leftJoin('suppliers as s', 's.id', 'p.awarded_supplier_id')
    .leftJoin('auctions as a', 'a.id', 'o.auction_id')
    .where('o.agreement_id', agreementId)
    .orderBy('o.id', 'desc')
    .select('o.*', 'p.ref as project_ref', 'p.stage', 'p.award_fen', 'p.org_id', 'g.name_zh as org_name_zh', 'g.name_en as org_name_en', 's.name as supplier_name', 'a.code as auction_code', 'a.status as auction_status', 'a.winner_price_fen', 'a.savings_fen');
  return rows.map((o: any) => ({
    ...orderFromRow(o),
    projectRef: o.project_ref,
    stage: o.stage,
    orgId: o.org_id,
    orgNameZh: o.org_name_zh,
    orgNameEn: o.org_name_en,
    awardFen: o.award_fen === null ? null : Number(o.award_fen),
    supplierName: o.supplier_name,
    auctionCode: o.auction_code,
    auctionStatus: o.auction_status,
    competitionPriceFen: o.winner_price_fen === null || o.winner_price_fen === undefined ? null : Number(o.winner_price_fen),
    competitionSavingsFen: o.savings_fen === null || o.savings_fen === undefined ? null : Number(o.savings_fen),
  }));
}

/**
 * The framework report: per agreement its entry suppliers and the orders placed within it by mode,
 * the amount at agreement prices against the amount awarded (what direct choices below the price
 * and second competitions saved), and the second competitions with their results. Integer fen.
 */
export async function frameworkReport(db: Knex, today: string) {
  const agreements = await db('framework_agreements').whereNot({ status: 'draft' }).orderBy('id');
  const entries = await db('framework_entries').select('agreement_id').count({ n: '*' }).groupBy('agreement_id');
  const orders = await db('framework_orders as o').join('procurement_projects as p', 'p.id', 'o.project_id').leftJoin('auctions as a', 'a.id', 'o.auction_id').select('o.agreement_id', 'o.mode', 'o.ceiling_fen', 'p.award_fen', 'p.stage', 'a.status as auction_status', 'a.winner_price_fen');
  const rows = agreements.map((a: any) => {
    const mine = orders.filter((o: any) => o.agreement_id === a.id);
    const awarded = mine.filter((o: any) => o.award_fen !== null && o.stage !== 'failed');
    const byMode = Object.fromEntries(['direct', 'rotation', 'competition'].map((m) => [m, mine.filter((o: any) => o.mode === m).length]));
    const agreementFen = awarded.reduce((s: number, o: any) => s + Number(o.ceiling_fen), 0);
    const awardFen = awarded.reduce((s: number, o: any) => s + Number(o.award_fen), 0);
    const comps = mine.filter((o: any) => o.mode === 'competition');
    return {
      id: a.id,
      ref: a.ref,
      title: a.title,
      categoryCode: a.category_code,
      evaluationMethod: a.evaluation_method,
      status: effectiveStatus(a.status, a.term_end, today),
      entries: Number(entries.find((e: any) => e.agreement_id === a.id)?.n ?? 0),
      orders: mine.length,
      ordersByMode: byMode,
      agreementFen,
      awardFen,
      savingsFen: agreementFen - awardFen,
      secondCompetitions: { total: comps.length, closed: comps.filter((o: any) => o.auction_status === 'closed').length, failed: comps.filter((o: any) => o.auction_status === 'failed').length },
    };
  });
  const sum = (k: 'orders' | 'agreementFen' | 'awardFen' | 'savingsFen') => rows.reduce((s: number, r: any) => s + r[k], 0);
  return { rows, totals: { agreements: rows.length, inForce: rows.filter((r: any) => r.status === 'active').length, orders: sum('orders'), agreementFen: sum('agreementFen'), awardFen: sum('awardFen'), savingsFen: sum('savingsFen') } };
}
