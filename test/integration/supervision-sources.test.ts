// The rules on the other modules' real tables: an online price competition (auctions), a public
// tender (tenders, tender_bids), a workflow project with its contract and stage history.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { withTx } from '../../server/db/tx';
import { record, type AuditInput } from '../../server/supervision/audit/audit';
import { systemClock, toDbTime } from '../../server/db/time';
import type { RuleEngine } from '../../server/supervision/engine/engine';
import { TestClient } from '../helpers/http';
import { auctionBody, cookieFor, createBidders } from './auction-fixtures';
import { auctionView } from '../../server/supervision/sources/tables-source';

describe(`supervision on the modules' tables (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let engine: RuleEngine;
  let org: number;
  let suppliers: number[];
  const T = (iso: string) => toDbTime(new Date(iso));
  const emit = async (i: AuditInput) => {
    await withTx(s.tdb.db, (tx) => record(tx, { userId: null, role: 'system:test', requestId: null, ip: null, clock: systemClock }, i));
    await engine.idle();
  };
  const rules = async (processKey: string) => (await s.tdb.db('sv_alerts').where({ process_key: processKey })).map((a: any) => a.rule_code).sort();

  before(async () => {
    s = await startTestServer();
    engine = (s.platform.modules.find((m) => m.name === 'supervision') as unknown as { engine: RuleEngine }).engine;
    org = (await s.tdb.db('organisations').where({ kind: 'purchasing_unit' }).orderBy('id').first()).id;
    suppliers = (await s.tdb.db('suppliers').orderBy('id').limit(4).select('id')).map((r: any) => Number(r.id));
  });
  after(() => s?.stop());

  it('flags two bidders joining a real competition from the same device, live', async () => {
    const op = await s.as('operator');
    const created = await op.post('/api/auctions', auctionBody(new Date(Date.now() + 3600_000), { orgId: org }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id;
    const bidders = await createBidders(s.tdb.db, systemClock, 3, { prefix: 'svjoin' });
    for (const [i, b] of bidders.entries()) {
      const { cookie, csrf } = await cookieFor(s.platform.sessions, b.userId);
      const c = new TestClient(s.url);
      c.cookie = cookie;
      c.csrf = csrf;
      const r = await c.post(`/api/auctions/${id}/join`, { brand: b.brand, model: b.model, deviceId: i < 2 ? 'shared-laptop-01' : `own-${i}` });
      expect(r.status, JSON.stringify(r.body)).to.be.oneOf([200, 201]);
    }
    await engine.idle();
    const alert = await s.tdb.db('sv_alerts').where({ process_key: `competition:${id}`, rule_code: 'SV04' }).first();
    expect(alert, 'SV04 alert').to.not.equal(undefined);
    expect(JSON.parse(alert.evidence_json).groups).to.deep.include({ kind: 'device', value: 'shared-laptop-01', suppliers: bidders.slice(0, 2).map((b) => String(b.supplierId)).sort() });
  });

  it('reads a closed competition from the auctions tables: shared device, bids under the ceiling', async () => {
    const db = s.tdb.db;
    const [id] = await db('auctions').insert({ code: 'WSJJ-T-1', title: '激光打印机竞价', lot_description: '20 台', quantity: 20, unit: '台', category_code: 'A02021003', ceiling_fen: 1_000_000, decrement_kind: 'absolute', decrement_value: 1000, starts_at: T('2026-03-10T02:00:00Z'), duration_sec: 3600, extension_sec: 60, visibility: 'rank_only', min_suppliers: 3, min_brands: 1, status: 'closed', ends_at: T('2026-03-10T03:00:00Z'), announced_at: T('2026-03-05T02:00:00Z'), bid_count: 3, winner_supplier_id: suppliers[0], winner_price_fen: 985_000, org_id: org, closed_at: T('2026-03-10T03:00:00Z'), created_at: T('2026-03-05T01:00:00Z'), updated_at: T('2026-03-10T03:00:00Z') });
    const devices = ['dev-A', 'dev-A', 'dev-C'];
    for (const [i, sid] of suppliers.slice(0, 3).entries()) await db('auction_participants').insert({ auction_id: id, supplier_id: sid, label: 'ABC'[i], brand: `品牌${i}`, model: 'M1', ip: `10.8.0.${i + 1}`, device_id: devices[i], joined_at: T('2026-03-09T02:00:00Z') });
    const amounts = [985_000, 990_000, 995_000];
    for (const [i, sid] of suppliers.slice(0, 3).entries()) await db('auction_bids').insert({ auction_id: id, seq: i + 1, supplier_id: sid, amount_fen: amounts[i], client_bid_id: `c${i}`, ip: `10.8.0.${i + 1}`, device_id: devices[i], accepted_at: T('2026-03-10T02:30:00Z') });
    await emit({ action: 'auction.closed', entityType: 'auction', entityId: id, after: { status: 'closed', winnerSupplierId: suppliers[0], priceFen: 985_000 } });
    expect(await rules(`competition:${id}`)).to.include.members(['SV04', 'SV05']);
    expect(await rules(`competition:${id}`)).to.not.include('SV01');
  });

  it('reads a public tender from the tendering tables: the lowest bid disqualified, the winner alone valid', async () => {
    const db = s.tdb.db;
    const [id] = await db('tenders').insert({ reference: 'GK-T-1', title: '教学设备采购', kind: 'goods', category_code: 'A02010104', purchasing_org_id: org, budget_fen: 50_000_000, method: 'lowest_price', price_weight: 100, abnormal_low_pct: 20, decryption_minutes: 30, description: 'd', requirements_json: '[]', qualifications_json: '[]', criteria_json: '[]', status: 'awarded', published_at: T('2026-03-01T02:00:00Z'), bid_deadline: T('2026-03-25T02:00:00Z'), opening_at: T('2026-03-25T02:00:00Z'), award_amount_fen: 45_000_000, awarded_at: T('2026-03-28T02:00:00Z'), created_at: T('2026-02-28T02:00:00Z'), updated_at: T('2026-03-28T02:00:00Z') });
    const bid = async (sid: number, n: number, status: string, price: number) => Number((await db('tender_bids').insert({ tender_id: id, supplier_id: sid, receipt_no: `R-${id}-${n}`, status, envelope_sha256: 'e'.repeat(64), plaintext_sha256: 'p'.repeat(64), submitted_at: T('2026-03-20T02:00:00Z'), submitted_ip: `10.9.0.${n}`, price_fen: price }))[0]);
    await bid(suppliers[1], 1, 'disqualified', 40_000_000);
    await bid(suppliers[2], 2, 'disqualified', 43_000_000);
    const win = await bid(suppliers[0], 3, 'decrypted', 45_000_000);
    await db('tenders').where({ id }).update({ awarded_bid_id: win });
    await emit({ action: 'tender.awarded', entityType: 'tender', entityId: id, after: { status: 'awarded', supplierId: suppliers[0], amountFen: 45_000_000, bidId: win } });
    expect(await rules(`tender:${id}`)).to.include.members(['R035', 'R036']);
    expect(await rules(`tender:${id}`)).to.not.include.members(['SV02', 'R003', 'SV08']);
    const trace = await (await s.as('supervisor')).get(`/api/supervision/trace?subjectType=tender&subjectId=${id}`);
    expect(trace.body.events.map((e: any) => e.action)).to.deep.equal(['tender.awarded']);
    expect(trace.body.verification.allIntact).to.equal(true);
  });

  it('reads a project, its contract and its stage history: contract amount mismatch and the performance table', async () => {
    const db = s.tdb.db;
    const bl = await db('budget_lines').where({ org_id: org }).first();
    const user = await db('users').where({ username: 'purchaser' }).first();
    const [rid] = await db('requisitions').insert({ ref: 'REQ-T-1', org_id: org, budget_line_id: bl.id, created_by: user.id, title: '办公桌椅', justification: 'j', category_code: 'A05010101', category_kind: 'goods', needed_by: '2026-06-01', total_fen: 30_000_000, status: 'approved', submitted_at: T('2026-03-01T02:00:00Z'), created_at: T('2026-03-01T01:00:00Z'), updated_at: T('2026-03-02T01:00:00Z') });
    const [pid] = await db('procurement_projects').insert({ ref: 'PRJ-T-1', requisition_id: rid, org_id: org, title: '办公桌椅', method: 'inquiry', stage: 'contracted', budget_fen: 30_000_000, awarded_supplier_id: suppliers[3], award_fen: 27_000_000, award_notice_at: T('2026-03-12T02:00:00Z'), created_at: T('2026-03-02T02:00:00Z'), updated_at: T('2026-03-12T02:00:00Z') });
    // Stages: preparation on time (due 03-05, exit 03-04), inquiry late (due 03-08, exit 03-10), award on time.
    await db('project_stages').insert([
      { project_id: pid, method: 'inquiry', stage: 'preparation', entered_at: T('2026-03-02T02:00:00Z'), exited_at: T('2026-03-04T02:00:00Z'), due_at: T('2026-03-05T02:00:00Z') },
      { project_id: pid, method: 'inquiry', stage: 'inquiry', entered_at: T('2026-03-04T02:00:00Z'), exited_at: T('2026-03-10T02:00:00Z'), due_at: T('2026-03-08T02:00:00Z') },
      { project_id: pid, method: 'inquiry', stage: 'award', entered_at: T('2026-03-10T02:00:00Z'), exited_at: T('2026-03-12T02:00:00Z'), due_at: T('2026-03-13T02:00:00Z') },
    ]);
    await db('project_challenges').insert({ project_id: pid, supplier_id: suppliers[2], summary: '质疑询价文件技术参数指向特定品牌', status: 'dismissed', received_at: T('2026-03-06T02:00:00Z'), reply_due_at: T('2026-03-13T02:00:00Z') });
    const [cid] = await db('contracts').insert({ ref: 'CT-T-1', project_id: pid, supplier_id: suppliers[3], amount_fen: 28_000_000, terms: 't', status: 'signed', created_at: T('2026-03-12T02:00:00Z'), updated_at: T('2026-03-13T02:00:00Z') });
    await emit({ action: 'contract.signed', entityType: 'contract', entityId: cid, after: { status: 'signed', side: 'supplier' } });
    const rows = await db('sv_alerts').where({ process_key: `project:${pid}`, rule_code: 'SV08' });
    expect(rows).to.have.length(1);
    expect(JSON.parse(rows[0].summary_json)).to.include({ what: 'contract', expectedYuan: 270000, actualYuan: 280000 });

    const sup = await s.as('supervisor');
    const perf = await sup.get('/api/supervision/performance?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&groupBy=unit');
    expect(perf.body.stageHistoryAvailable).to.equal(true);
    const row = perf.body.items.find((r: any) => r.key === String(org));
    // 2 of 3 stages on time; cycle 03-02 → 03-12 = 10 days; savings (300,000 − 270,000) / 300,000 = 0.1
    expect(row).to.deep.include({ onTimeRate: 0.6667, savingsRate: 0.1, completed: 1, challenges: 1 });
    expect(row.cycleDaysByMethod).to.deep.equal({ inquiry: { projects: 1, averageDays: 10 } });
    expect(row.alerts).to.equal(0); // the SV08 alert was raised now, outside March
    // the project's trace follows its requisition and contract
    const trace = await sup.get(`/api/supervision/trace?subjectType=project&subjectId=${pid}`);
    expect(trace.body.related).to.deep.include.members([{ type: 'requisition', id: String(rid) }, { type: 'contract', id: String(cid) }]);
    expect(trace.body.events.map((e: any) => e.action)).to.include('contract.signed');
  });
  it('reads a running competition\'s bids as they come (only the new ones each time), as a reading of every bid would', async () => {
    const db = s.tdb.db;
    const [id] = await db('auctions').insert({ code: 'WSJJ-T-INC', title: '台式计算机竞价', lot_description: '50 台', quantity: 50, unit: '台', category_code: 'A02021003', ceiling_fen: 5_000_000, decrement_kind: 'absolute', decrement_value: 100, starts_at: T('2026-04-10T02:00:00Z'), duration_sec: 3600, extension_sec: 0, visibility: 'rank_only', min_suppliers: 3, min_brands: 1, status: 'running', ends_at: T('2026-04-10T03:00:00Z'), announced_at: T('2026-04-05T02:00:00Z'), bid_count: 0, org_id: org, created_at: T('2026-04-05T01:00:00Z'), updated_at: T('2026-04-10T02:00:00Z') });
    // What the rules must see, from every bid: each distinct (supplier, address, device) and each
    // supplier's last bid, both in the order first seen.
    const expected = async () => {
      const all = await db('auction_bids').where({ auction_id: id }).orderBy('seq');
      const fps = new Map<string, unknown>();
      const last = new Map<string, any>();
      for (const b of all) {
        const fp = { supplierId: String(b.supplier_id), ip: b.ip, deviceId: b.device_id };
        fps.set(JSON.stringify(fp), fp);
        last.set(String(b.supplier_id), b);
      }
      return { fingerprints: [...fps.values()], bids: [...last.values()].map((b) => ({ id: String(b.id), supplierId: String(b.supplier_id), amountFen: Number(b.amount_fen) })) };
    };
    const read = async () => {
      const v = (await auctionView(db, String(id)))!;
      return { fingerprints: v.fingerprints, bids: v.bids.map((b) => ({ id: b.id, supplierId: b.supplierId, amountFen: b.amountFen })) };
    };
    expect(await read()).to.deep.equal({ fingerprints: [], bids: [] });
    let seq = 0;
    let amount = 5_000_000;
    const queries: string[] = [];
    const count = (q: { sql: string }) => queries.push(q.sql);
    for (let round = 0; round < 6; round++) {
      // A few bids per round: suppliers in a changing order, one changing its address in round 3.
      const order = round % 2 ? [...suppliers].reverse() : suppliers;
      for (const sid of order.slice(0, 2 + (round % 3))) {
        amount -= 100;
        const ip = round === 3 && sid === suppliers[1] ? '10.9.9.9' : `10.8.1.${suppliers.indexOf(sid) + 1}`;
        await db('auction_bids').insert({ auction_id: id, seq: ++seq, supplier_id: sid, amount_fen: amount, client_bid_id: `inc-${seq}`, ip, device_id: `dev-${sid}`, accepted_at: T('2026-04-10T02:30:00Z') });
      }
      db.on('query', count);
      const got = await read();
      db.off('query', count);
      expect(got, `round ${round}`).to.deep.equal(await expected());
    }
    // Each reading asked only for the bids after the last one folded (from it on, once there was one).
    const bidReads = queries.filter((q) => /auction_bids/.test(q));
    expect(bidReads.length).to.equal(6);
    expect(bidReads[0]).to.match(/seq. > \?/);
    for (const q of bidReads.slice(1)) expect(q).to.match(/seq. >= \?/);
    // Readings running alongside each other and new bids: each bid folded once, the last reading whole.
    const more = async () => {
      for (const sid of suppliers.slice(0, 3)) {
        amount -= 100;
        await db('auction_bids').insert({ auction_id: id, seq: ++seq, supplier_id: sid, amount_fen: amount, client_bid_id: `inc-${seq}`, ip: '10.8.2.1', device_id: `dev-${sid}`, accepted_at: T('2026-04-10T02:35:00Z') });
      }
      return read();
    };
    await Promise.all([read(), more(), read(), more(), read()]);
    expect(await read()).to.deep.equal(await expected());
    // Rows not the ones folded (a database rebuilt behind the same connections): read again from every bid.
    await db('auction_bids').where({ auction_id: id }).delete();
    seq = 0;
    for (const sid of suppliers.slice(0, 3)) await db('auction_bids').insert({ auction_id: id, seq: ++seq, supplier_id: sid, amount_fen: 4_000_000 - seq, client_bid_id: `again-${seq}`, ip: '10.7.0.1', device_id: null, accepted_at: T('2026-04-10T02:40:00Z') });
    expect(await read()).to.deep.equal(await expected());
    expect((await read()).bids).to.have.length(3);
  });
});

