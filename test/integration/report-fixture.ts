// A hand-computed fixture for the reports and OCDS tests: five projects written straight into
// the workflow's tables (the state the workflow leaves them in), with figures chosen so every
// total, allocation and ratio can be checked by hand (see report.test.ts).
import type { Db } from '../../server/db/knex';
import { startTestServer, type TestServer } from '../helpers/server';
import type { ManualClock } from '../../server/db/time';
import { systemActor } from '../../server/http/actor';
import { reconcile } from '../../server/supervision/reports/project-hook';

const T = (iso: string) => iso.replace('T', ' ').replace('Z', '');

export interface Fixture {
  orgA: number;
  orgB: number;
  s1: number; // micro
  s2: number; // large
  s3: number; // small
  projects: Record<'P1' | 'P2' | 'P3' | 'P4' | 'P5', number>;
  lineA: number;
}

export async function loadReportFixture(db: Db): Promise<Fixture> {
  const [orgA, orgB] = (await db('organisations').where({ kind: 'purchasing_unit' }).orderBy('id').limit(2).pluck('id')) as number[];
  const [s1, s2, s3] = (await db('suppliers').where({ status: 'approved' }).orderBy('id').limit(3).pluck('id')) as number[];
  await db('suppliers').where({ id: s1 }).update({ size: 'micro' });
  await db('suppliers').where({ id: s2 }).update({ size: 'large' });
  await db('suppliers').where({ id: s3 }).update({ size: 'small' });
  const user = (await db('users').orderBy('id').first('id')).id;
  const lineA = (await db('budget_lines').where({ org_id: orgA }).orderBy('id').first('id')).id;
  const lineB = (await db('budget_lines').where({ org_id: orgB }).orderBy('id').first('id')).id;
  await db('budget_lines').where({ id: lineA }).update({ allocated_fen: 50_000_000, frozen_fen: 7_200_001, spent_fen: 1_500_000 });

  let n = 0;
  async function project(p: {
    org: number; line: number; method: string; category: string; stage: string;
    items: Array<[string, number, number]>; // category, quantity, amount_fen
    submitted: string; decided: string; created: string;
    award?: { supplier: number; fen: number; at: string }; noticeAt?: string; failure?: string;
    stages: Array<[string, string, string | null]>;
  }): Promise<number> {
    n++;
    const total = p.items.reduce((s, i) => s + i[2], 0);
    const [rid] = await db('requisitions').insert({ ref: `REQ-2026-90${n}`, org_id: p.org, budget_line_id: p.line, created_by: user, title: `Fixture requisition ${n}`, justification: 'Replacement of worn-out equipment', category_code: p.category, category_kind: p.category.startsWith('C') ? 'services' : 'goods', framework_goods: p.method === 'online_price_competition', needed_by: '2026-12-31', total_fen: total, frozen_fen: p.award?.fen ?? 0, status: 'approved', method: p.method, method_reason: 'fixture', submitted_at: T(p.submitted), decided_at: T(p.decided), created_at: T(p.submitted), updated_at: T(p.decided) });
    let k = 0;
    for (const [cat, qty, amount] of p.items) await db('requisition_items').insert({ requisition_id: rid, line_no: ++k, category_code: cat, name: `Item ${k}`, specification: 'spec', quantity: qty, unit: '台', unit_price_fen: Math.floor(amount / qty), amount_fen: amount });
    const [pid] = await db('procurement_projects').insert({ ref: `PRJ-2026-90${n}`, requisition_id: rid, org_id: p.org, title: `Fixture project ${n}`, method: p.method, stage: p.stage, budget_fen: total, notice_at: p.noticeAt ? T(p.noticeAt) : null, awarded_supplier_id: p.award?.supplier ?? null, award_fen: p.award?.fen ?? null, award_source: p.award ? 'manual' : null, award_notice_at: p.award ? T(p.award.at) : null, failure_reason: p.failure ?? null, responses: 3, valid_responses: 3, created_at: T(p.decided), updated_at: T(p.award?.at ?? p.decided) });
    for (const [stage, a, b] of p.stages) await db('project_stages').insert({ project_id: pid, method: p.method, stage, entered_at: T(a), exited_at: b ? T(b) : null });
    return Number(pid);
  }

  const P1 = await project({
    org: orgA, line: lineA, method: 'inquiry', category: 'A02010104', stage: 'payment',
    items: [['A02010104', 10, 6_000_000], ['A02021003', 5, 1_000_000]],
    submitted: '2026-02-20T00:00:00Z', decided: '2026-02-25T00:00:00Z', created: '2026-02-25T00:00:00Z', noticeAt: '2026-03-03T00:00:00Z',
    award: { supplier: s1, fen: 6_300_001, at: '2026-03-31T20:00:00Z' }, // 04:00 on 1 April in China: April
    stages: [['documents_prepared', '2026-03-01T00:00:00Z', '2026-03-03T00:00:00Z'], ['responses_open', '2026-03-03T00:00:00Z', '2026-03-10T00:00:00Z'], ['evaluation', '2026-03-10T00:00:00Z', '2026-03-31T20:00:00Z'], ['award_notice', '2026-03-31T20:00:00Z', null]],
  });
  const [cid] = await db('contracts').insert({ ref: 'CON-2026-901', project_id: P1, supplier_id: s1, amount_fen: 6_300_001, terms: 'terms', status: 'accepted', purchaser_signed_at: T('2026-04-19T00:00:00Z'), supplier_signed_at: T('2026-04-20T00:00:00Z'), accepted_at: T('2026-04-25T00:00:00Z'), created_at: T('2026-04-18T00:00:00Z'), updated_at: T('2026-04-25T00:00:00Z') });
  await db('payment_requests').insert({ ref: 'PAY-2026-901', contract_id: cid, project_id: P1, budget_line_id: lineA, supplier_id: s1, amount_fen: 6_300_001, status: 'paid', treasury_ref: 'T-1', requested_at: T('2026-04-26T00:00:00Z'), paid_at: T('2026-05-01T00:00:00Z'), updated_at: T('2026-05-01T00:00:00Z') });

  const P2 = await project({
    org: orgA, line: lineA, method: 'online_price_competition', category: 'A02010105', stage: 'award_notice',
    items: [['A02010105', 20, 2_000_000]],
    submitted: '2026-03-20T00:00:00Z', decided: '2026-03-22T00:00:00Z', created: '2026-03-22T00:00:00Z',
    award: { supplier: s2, fen: 1_500_000, at: '2026-04-10T02:00:00Z' },
    stages: [['competition', '2026-03-22T00:00:00Z', '2026-04-10T02:00:00Z'], ['award_notice', '2026-04-10T02:00:00Z', null]],
  });
  const [aid] = await db('auctions').insert({ code: 'WSJJ-2026-0901', title: 'Laptops', lot_description: '20 laptops', quantity: 20, unit: '台', category_code: 'A02010105', ceiling_fen: 1_800_000, decrement_kind: 'absolute', decrement_value: 10_000, starts_at: T('2026-04-10T01:00:00Z'), duration_sec: 1800, extension_sec: 120, visibility: 'best_price', min_suppliers: 2, min_brands: 2, status: 'closed', ends_at: T('2026-04-10T01:30:00Z'), bid_count: 3, best_fen: 1_500_000, best_supplier_id: s2, winner_supplier_id: s2, winner_price_fen: 1_500_000, savings_fen: 300_000, project_id: P2, org_id: orgA, created_at: T('2026-04-01T00:00:00Z'), announced_at: T('2026-04-02T00:00:00Z'), opened_at: T('2026-04-10T01:00:00Z'), closed_at: T('2026-04-10T01:30:00Z'), updated_at: T('2026-04-10T01:30:00Z') });
  // The competitions module publishes its result notice under the competition's code.
  await db('notices').insert({ kind: 'award', title_zh: '便携式计算机网上竞价成交公告（WSJJ-2026-0901）', title_en: 'Online price competition result: Laptops (WSJJ-2026-0901)', body_zh: '成交', body_en: 'Result', org_id: orgA, category_code: 'A02010105', method: 'online_price_competition', amount_fen: 1_500_000, project_ref: 'WSJJ-2026-0901', source_type: 'auction', source_id: String(aid), published_at: T('2026-04-10T01:30:00Z') });
  let seq = 0;
  for (const [sup, fen, at] of [[s1, 1_700_000, '01:05'], [s2, 1_600_000, '01:10'], [s1, 1_550_000, '01:20'], [s2, 1_500_000, '01:25']] as Array<[number, number, string]>) {
    seq++;
    await db('auction_bids').insert({ auction_id: aid, seq, supplier_id: sup, amount_fen: fen, client_bid_id: `b${seq}`, accepted_at: T(`2026-04-10T${at}:00Z`) });
  }

  const P3 = await project({
    org: orgB, line: lineB, method: 'public_tender', category: 'C1601', stage: 'contract',
    items: [['C1601', 1, 10_000_000]],
    submitted: '2026-03-01T00:00:00Z', decided: '2026-03-05T00:00:00Z', created: '2026-03-05T00:00:00Z', noticeAt: '2026-03-06T00:00:00Z',
    award: { supplier: s3, fen: 8_000_000, at: '2026-05-02T00:00:00Z' },
    stages: [['documents_prepared', '2026-03-05T00:00:00Z', '2026-03-06T00:00:00Z'], ['notice_published', '2026-03-06T00:00:00Z', '2026-03-07T00:00:00Z'], ['bidding_open', '2026-03-07T00:00:00Z', '2026-03-30T00:00:00Z'], ['opening', '2026-03-30T00:00:00Z', '2026-03-31T00:00:00Z'], ['evaluation', '2026-03-31T00:00:00Z', '2026-05-02T00:00:00Z'], ['award_notice', '2026-05-02T00:00:00Z', null]],
  });
  const [tid] = await db('tenders').insert({ reference: 'ZB-2026-0901', project_id: P3, title: 'Software', kind: 'services', category_code: 'C1601', purchasing_org_id: orgB, budget_fen: 10_000_000, method: 'comprehensive', price_weight: 30, abnormal_low_pct: 50, decryption_minutes: 30, description: 'd', requirements_json: '[]', qualifications_json: '[]', criteria_json: '[]', status: 'awarded', published_at: T('2026-03-06T00:00:00Z'), bid_deadline: T('2026-03-30T00:00:00Z'), opening_at: T('2026-03-30T00:00:00Z'), decryption_ends_at: T('2026-03-30T00:30:00Z'), awarded_at: T('2026-05-02T00:00:00Z'), award_amount_fen: 8_000_000, created_at: T('2026-03-05T00:00:00Z'), updated_at: T('2026-05-02T00:00:00Z') });
  let r = 0;
  for (const [sup, status, fen] of [[s3, 'decrypted', 8_000_000], [s1, 'decrypted', 8_500_000], [s2, 'invalid', 7_000_000], [s2, 'sealed', null]] as Array<[number, string, number | null]>) {
    r++;
    await db('tender_bids').insert({ tender_id: tid, supplier_id: sup, receipt_no: `R-901-${r}`, status, envelope_sha256: 'a'.repeat(64), plaintext_sha256: 'b'.repeat(64), submitted_at: T(`2026-03-2${r}T00:00:00Z`), price_fen: fen });
  }

  // The tendering module publishes its own award notice, under the tender's reference.
  await db('notices').insert({ kind: 'award', title_zh: '软件开发服务 中标结果公告（ZB-2026-0901）', title_en: 'Award notice ZB-2026-0901', body_zh: '中标结果', body_en: 'Award', org_id: orgB, category_code: 'C1601', method: 'public_tender', amount_fen: 8_000_000, project_ref: 'ZB-2026-0901', source_type: 'tender', source_id: String(tid), published_at: T('2026-05-02T00:00:00Z') });

  const P4 = await project({
    org: orgB, line: lineB, method: 'inquiry', category: 'A02010104', stage: 'failed',
    items: [['A02010104', 3, 900_000]],
    submitted: '2026-04-01T00:00:00Z', decided: '2026-04-02T00:00:00Z', created: '2026-04-02T00:00:00Z', noticeAt: '2026-04-03T00:00:00Z', failure: 'TOO_FEW_VALID_RESPONSES: 1 < 3',
    stages: [['documents_prepared', '2026-04-02T00:00:00Z', '2026-04-03T00:00:00Z'], ['responses_open', '2026-04-03T00:00:00Z', '2026-04-10T00:00:00Z'], ['evaluation', '2026-04-10T00:00:00Z', '2026-04-11T00:00:00Z'], ['failed', '2026-04-11T00:00:00Z', null]],
  });

  const P5 = await project({
    org: orgA, line: lineA, method: 'inquiry', category: 'A02010104', stage: 'award_notice',
    items: [['A02010104', 2, 1_000_000]],
    submitted: '2026-04-25T00:00:00Z', decided: '2026-04-30T00:00:00Z', created: '2026-04-30T00:00:00Z', noticeAt: '2026-05-05T00:00:00Z',
    award: { supplier: s1, fen: 900_000, at: '2026-06-01T00:00:00Z' },
    stages: [['documents_prepared', '2026-05-01T00:00:00Z', '2026-05-05T00:00:00Z'], ['responses_open', '2026-05-05T00:00:00Z', '2026-05-15T00:00:00Z'], ['evaluation', '2026-05-15T00:00:00Z', '2026-06-01T00:00:00Z'], ['award_notice', '2026-06-01T00:00:00Z', null]],
  });
  return { orgA, orgB, s1, s2, s3, lineA, projects: { P1, P2, P3, P4, P5 } };
}

/** A test server holding the hand-computed fixture, with facts, notices and releases brought up to date. */
export async function startReportServer(clock: ManualClock, env?: Record<string, string>): Promise<{ s: TestServer; fx: Fixture }> {
  const s = await startTestServer({ clock, env });
  const fx = await loadReportFixture(s.tdb.db);
  await reconcile(s.tdb.db, systemActor('test', clock));
  return { s, fx };
}
