// npm run simulate:year — a year of a city's procurement driven through the platform's real
// services on a fresh database, then the headline figures read from the finance bureau's reports.
//
// Purchasers raise requisitions (requisitions service), the approval chains decide them (approvals
// service: unit head, finance bureau, procurement centre), projects follow their method's legal
// stages (projects service, with the durable scheduler's deadline and notice-period jobs),
// framework goods are bought by live online price competitions (AuctionService: create, suppliers
// join with their brands, bid through the engine, the close job ends it) or, once the procurement
// centre's framework agreements are in force (tablets by price priority, laptops by quality
// priority: call for entry, sealed responses, the opening job, evaluation, signatures), by orders
// within them (direct selection, rotation, or a second competition on the same engine), the others by tender,
// inquiry, negotiation or single source, and contracts are signed, accepted and paid (contracts
// service). Time is a simulated clock: every story waits for its next step and the earliest step
// in the city runs next, so time only moves forward and due jobs run on the way.
//
// Fresh database: SQLite in a new temporary DATA_DIR (default), or with DB_CLIENT=mysql the MySQL
// database sp_simulate_year (dropped and created). Prints the headline figures as one JSON object.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { parseEnv, type Config } from '../server/config';
import { openDb, type Db, mysqlServer } from '../server/db/knex';
import { migrateLatest } from '../server/db/migrate';
import { withTx, type Tx } from '../server/db/tx';
import { ManualClock, toDbTime } from '../server/db/time';
import { systemActor, type Actor } from '../server/http/actor';
import { hashPassword } from '../server/http/auth/passwords';
import { createLogger } from '../server/http/log';
import { createPlatform } from '../server/platform';
import { record } from '../server/supervision/audit/audit';
import { seedDemo, prng } from '../db/seeds/demo';
import * as req from '../server/core/requisitions/service';
import { decide } from '../server/core/approvals/service';
import * as proj from '../server/core/projects/service';
import * as con from '../server/core/contracts/service';
import { allocate, lineMoney } from '../server/core/budget/service';
import { auctionAward, type AuctionService } from '../server/execution/auctions/service';
import type { SessionUser } from '../server/http/auth/sessions';
import type { Client } from '../server/realtime/hub';
import { reconcile } from '../server/supervision/reports/project-hook';
import * as reports from '../server/supervision/reports/queries';
import { savingsBp } from '../server/supervision/reports/allocation';
import { TEMPLATES } from '../server/execution/tendering/templates';
import { createTender, publishTender } from '../server/execution/tendering/documents/service';
import { submitBid } from '../server/execution/tendering/bids/service';
import { submitKey } from '../server/execution/tendering/opening/service';
import { linkCommittee } from '../server/execution/tendering/evaluation/committee';
import { evaluationView, saveScores, submitScores, confirmReport } from '../server/execution/tendering/evaluation/service';
import { awardTender } from '../server/execution/tendering/award/service';
import { ensureExpertUsers } from '../server/execution/tendering/demo-users';
import { sealBid, randomHex } from '../client/src/views/tendering/sealing';
import { ensureExpertUser } from '../server/execution/tendering/demo-users';
import { committeeSizeFor } from '../server/execution/tendering/rules';
import { linkCommitteeFromDraw } from '../server/execution/tendering/evaluation/committee';
import { drawServiceFor } from '../server/execution/draws/module';
import { invitationServiceFor } from '../server/execution/invitations/module';
import { RuleError } from '../server/http/errors';
import { loadRuleBook } from '../server/core/rules/rule-book';
import { loadCalendar } from '../server/core/rules/calendar';
import * as consult from '../server/execution/consultation/service';
import { findConsultation } from '../server/execution/consultation/repository';
import * as framework from '../server/execution/framework/service';
import { sealResponse } from '../client/src/views/framework/sealing';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const YEAR = env('SIM_YEAR', 2025);
const PER_MONTH = env('SIM_REQUISITIONS_PER_MONTH', 14);
const DAY = 86_400_000;
const YUAN = 100;
const log = (...a: unknown[]) => process.env.SIM_QUIET ? undefined : console.error('[simulate]', ...a);

/** Reference market prices (yuan, retail, the month's e-commerce median) of the electronics bought. */
const ELECTRONICS: Record<string, { name: string; unit: string; refYuan: number }> = {
  A02010104: { name: '台式计算机', unit: '台', refYuan: 5200 },
  A02010105: { name: '便携式计算机', unit: '台', refYuan: 6500 },
  A02010108: { name: '平板式微型计算机', unit: '台', refYuan: 3200 },
  A02020100: { name: '复印机', unit: '台', refYuan: 16800 },
  A02020800: { name: '投影仪', unit: '台', refYuan: 4300 },
  A02021003: { name: '激光打印机', unit: '台', refYuan: 2100 },
};
const OTHER_GOODS: Record<string, { name: string; unit: string; refYuan: number; framework?: boolean }> = {
  A02061800: { name: '空调机', unit: '台', refYuan: 6200, framework: true },
  A05010100: { name: '办公桌椅', unit: '套', refYuan: 1800, framework: true },
  A02010201: { name: '服务器', unit: '台', refYuan: 48000 },
  A02010302: { name: '交换机', unit: '台', refYuan: 12000 },
  A02320000: { name: '医疗设备', unit: '台', refYuan: 260000 },
};
const SERVICES: Record<string, { name: string; unit: string; yuan: [number, number] }> = {
  C1601: { name: '软件开发服务', unit: '项', yuan: [300_000, 2_600_000] },
  C1605: { name: '运行维护服务', unit: '项', yuan: [120_000, 900_000] },
  C2101: { name: '物业管理服务', unit: '项', yuan: [400_000, 2_400_000] },
  C2302: { name: '会计服务', unit: '项', yuan: [60_000, 300_000] },
  B07: { name: '装修工程', unit: '项', yuan: [500_000, 5_000_000] },
};

// ---- a cooperative clock: stories wait for their next step; the earliest step runs next --------
class Sim {
  private queue: Array<{ at: number; seq: number; resume: () => void }> = [];
  private seq = 0;
  private yielded: (() => void) | null = null;
  failures: string[] = [];
  constructor(public clock: ManualClock, private runDue: () => Promise<unknown>) {}
  wait(ms: number): Promise<void> {
    return new Promise((resume) => {
      this.queue.push({ at: this.clock.now().getTime() + Math.max(0, ms), seq: this.seq++, resume });
      this.yielded?.();
    });
  }
  waitUntil(t: number): Promise<void> {
    return this.wait(t - this.clock.now().getTime());
  }
  spawn(name: string, startAt: number, story: () => Promise<void>): void {
    void (async () => {
      await this.waitUntil(startAt);
      try {
        await story();
      } catch (err) {
        this.failures.push(`${name}: ${(err as Error).message}`);
      } finally {
        this.yielded?.();
      }
    })();
  }
  async run(): Promise<void> {
    await new Promise((r) => setImmediate(r)); // let every story register its start
    while (this.queue.length) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue.shift()!;
      if (next.at > this.clock.now().getTime()) this.clock.set(next.at);
      await this.runDue();
      const done = new Promise<void>((r) => (this.yielded = r));
      next.resume();
      await done;
    }
  }
}

async function freshDb(): Promise<{ db: Db; config: Config; where: string }> {
  const mysql = process.env.DB_CLIENT === 'mysql' || !!process.env.DATABASE_URL;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-simulate-'));
  const { givenSecrets: _g, ...base } = parseEnv({ NODE_ENV: 'development', LOG_LEVEL: 'silent' });
  let databaseUrl: string | null = null;
  if (mysql) {
    const url = new URL(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test');
    const admin = knexFactory({ client: 'mysql2', connection: mysqlServer(url) });
    await admin.raw('DROP DATABASE IF EXISTS `sp_simulate_year`');
    await admin.raw('CREATE DATABASE `sp_simulate_year` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await admin.destroy();
    url.pathname = '/sp_simulate_year';
    databaseUrl = url.toString();
  }
  const config: Config = { ...base, dbClient: mysql ? 'mysql' : 'sqlite', databaseUrl, dataDir, secrets: { sessionSecret: 'simulate-session-secret-0123456789ab', sealKey: 'cd'.repeat(32), financeHmacSecret: 'simulate-finance-secret-0123456789ab' } };
  const db = openDb(config);
  await migrateLatest(db);
  return { db, config, where: mysql ? 'mysql:sp_simulate_year' : path.join(dataDir, 'sunshine.sqlite') };
}

async function main() {
  const t0 = Date.now();
  const { db, config, where } = await freshDb();
  const clock = new ManualClock(Date.UTC(YEAR, 0, 2, 1, 0, 0));
  await seedDemo(db, clock);
  const platform = createPlatform({ config, db, clock, log: createLogger('silent'), autoStartScheduler: false });
  const auctions = (platform.modules.find((m) => m.name === 'auctions') as unknown as { service: AuctionService }).service;
  const sim = new Sim(clock, () => platform.scheduler.runDue(1000));
  const rnd = prng(YEAR * 7 + 11);
  const seedActor = systemActor('simulate', clock);

  // People: a purchaser and a unit head for each unit that buys, a sales account for each supplier.
  const hash = await hashPassword('Sunshine@2026');
  const units = await db('organisations').where({ kind: 'purchasing_unit' }).orderBy('code').select('id', 'code');
  type Person = { id: number; orgId: number | null; supplierId: number | null; roles: string[]; username: string };
  const people = new Map<string, Person>();
  await withTx(db, async (tx) => {
    const add = async (username: string, role: string, orgId: number | null, supplierId: number | null) => {
      const [id] = await tx('users').insert({ username, display_name: username, password_hash: hash, org_id: orgId, supplier_id: supplierId, status: 'active', is_demo: true, locale: 'zh-CN', time_zone: 'Asia/Shanghai', created_at: toDbTime(clock.now()) });
      await tx('user_roles').insert({ user_id: Number(id), role });
      await record(tx, seedActor, { action: 'user.created', entityType: 'user', entityId: Number(id), after: { username, roles: [role] } });
    };
    for (const u of units) {
      await add(`sim-buyer-${u.code}`, 'purchaser', u.id, null);
      await add(`sim-head-${u.code}`, 'approver', u.id, null);
    }
    for (const s of await tx('suppliers').where({ status: 'approved' }).select('id')) await add(`sim-sales-${s.id}`, 'supplier', null, s.id);
  });
  for (const u of await db('users as u').join('user_roles as r', 'r.user_id', 'u.id').select('u.id', 'u.username', 'u.org_id', 'u.supplier_id', 'r.role')) {
    const p = people.get(u.username) ?? { id: u.id, orgId: u.org_id, supplierId: u.supplier_id, roles: [] as string[], username: u.username };
    p.roles.push(u.role);
    people.set(u.username, p);
  }
  const experts = await withTx(db, (t) => ensureExpertUsers(t, clock, 7));
  const expertActor = (e: { userId: number }): Actor => ({ userId: e.userId, role: 'expert', requestId: null, ip: '10.2.0.1', clock });
  const tdeps = { db, clock, scheduler: platform.scheduler, realtime: platform.realtime, log: createLogger('silent'), config };
  let tendersAwarded = 0;
  const actorOf = (p: Person): Actor => ({ userId: p.id, role: p.roles[0], requestId: null, ip: '10.0.0.1', clock });
  const sessionOf = (p: Person): SessionUser => ({ id: p.id, username: p.username, displayName: p.username, roles: p.roles as SessionUser['roles'], orgId: p.orgId, supplierId: p.supplierId, locale: 'zh-CN', timeZone: 'Asia/Shanghai', sessionId: `sim-${p.id}`, csrfToken: '' });
  const operator = people.get('operator')!;
  const op = actorOf(operator);
  const bySupplier = new Map<number, Person>([...people.values()].filter((p) => p.supplierId).map((p) => [p.supplierId!, p]));
  const supplierCats = await db('supplier_categories').select('supplier_id', 'category_code');
  const brands = await db('supplier_brands').select('supplier_id', 'category_code', 'brand', 'model');
  const approved = new Set<number>((await db('suppliers').where({ status: 'approved' }).pluck('id')).map(Number));
  const suppliersFor = (code: string) => {
    const ids = [...new Set(supplierCats.filter((x: any) => x.category_code === code && approved.has(x.supplier_id)).map((x: any) => x.supplier_id as number))];
    return ids.length ? ids : [...approved];
  };
  const tx = <T>(fn: (t: Tx) => Promise<T>) => withTx(db, fn);

  async function budgetLineFor(orgId: number, needFen: number): Promise<number> {
    const line = await db('budget_lines').where({ org_id: orgId, fiscal_year: YEAR }).orderBy('allocated_fen', 'desc').first();
    const m = await tx((t) => lineMoney(t, line.id));
    if (m.availableFen < needFen) await tx((t) => allocate(t, systemActor('finance-api', clock), { code: line.code, orgId, fiscalYear: line.fiscal_year, name: line.name, economicClass: line.economic_class, allocatedFen: m.allocatedFen + needFen - m.availableFen + 1_000_000 * YUAN }));
    return line.id;
  }

  /** Raise, submit, and walk the approval chain; returns the project. */
  async function requisitionToProject(unit: { id: number; code: string }, title: string, items: Array<{ categoryCode: string; name: string; quantity: number; unit: string; unitPriceFen: number }>, singleSourceReason: string | null, invitationalReason: string | null = null, requested: { requestedMethod: 'competitive_consultation'; methodRequestReason: string } | null = null): Promise<number> {
    const buyer = people.get(`sim-buyer-${unit.code}`)!;
    const total = items.reduce((s, i) => s + i.quantity * i.unitPriceFen, 0);
    const lineId = await budgetLineFor(unit.id, total);
    const id = await tx(async (t) => {
      const rid = await req.createDraft(t, actorOf(buyer), { userId: buyer.id, orgId: buyer.orgId }, { title, budgetLineId: lineId, neededBy: new Date(clock.now().getTime() + 120 * DAY).toISOString().slice(0, 10), justification: `${title}：现有设备老化或服务合同到期，需按规定采购。`, items: items.map((i) => ({ ...i, specification: `${i.name}，符合国家标准` })), singleSourceReason, ...(invitationalReason ? { requestedMethod: 'invitational_tender' as const, methodRequestReason: invitationalReason } : (requested ?? {})) });
      await req.submit(t, actorOf(buyer), { userId: buyer.id, orgId: buyer.orgId }, rid);
      return rid;
    });
    for (;;) {
      await sim.wait((0.3 + rnd.next() * 2.5) * DAY);
      const step = await db('approval_steps').where({ requisition_id: id, status: 'pending' }).first();
      if (!step) throw new Error(`requisition ${id} has no pending step`);
      const who = [...people.values()].find((p) => p.orgId === step.approver_org_id && p.roles.includes(step.approver_role))!;
      const r = await tx((t) => decide(t, actorOf(who), { userId: who.id, orgId: who.orgId, roles: who.roles }, step.id, { decision: 'approve', comment: '同意' }));
      if (r.projectId) return r.projectId;
    }
  }

  async function until(pid: number, stages: string[]): Promise<string> {
    for (let i = 0; i < 120; i++) {
      const s = (await proj.loadProject(db, pid)).stage;
      if (stages.includes(s)) return s;
      await sim.wait(DAY / 2);
    }
    throw new Error(`project ${pid} never reached ${stages.join('/')}`);
  }

  async function contractAndPay(pid: number, unit: { code: string }) {
    await until(pid, ['contract']);
    await sim.wait((1 + rnd.next() * 6) * DAY);
    const buyer = people.get(`sim-buyer-${unit.code}`)!;
    const cid = (await tx((t) => con.createContract(t, op, { userId: operator.id, orgId: operator.orgId, supplierId: null }, { projectId: pid, terms: '按采购文件及成交结果签订，交货期30日，验收合格后支付。' }))) as number;
    await sim.wait((1 + rnd.next() * 4) * DAY);
    await tx((t) => con.signContract(t, actorOf(buyer), { userId: buyer.id, orgId: buyer.orgId, supplierId: null }, cid));
    const p = await proj.loadProject(db, pid);
    const sales = bySupplier.get(p.awarded_supplier_id!)!;
    await sim.wait((0.5 + rnd.next() * 3) * DAY);
    await tx((t) => con.signContract(t, actorOf(sales), { userId: sales.id, orgId: null, supplierId: sales.supplierId }, cid));
    await sim.wait((10 + rnd.next() * 25) * DAY);
    await tx((t) => con.acceptDelivery(t, actorOf(buyer), { userId: buyer.id, orgId: buyer.orgId, supplierId: null }, cid, { note: '经验收小组验收合格。' }));
    await sim.wait((2 + rnd.next() * 8) * DAY);
    const pay = await db('payment_requests').where({ project_id: pid }).first();
    const fin = systemActor('finance-api', clock);
    await tx((t) => con.applyPaymentStatus(t, fin, pay.ref, { status: 'accepted', treasuryRef: `GK${pay.id}` }));
    await sim.wait((1 + rnd.next() * 3) * DAY);
    await tx((t) => con.applyPaymentStatus(t, fin, pay.ref, { status: 'paid', treasuryRef: `GK${pay.id}` }));
  }

  // ---- a live online price competition through the AuctionService ----
  const referenceByProject = new Map<number, { categoryCode: string; referenceFen: number }>();
  let bidsAccepted = 0;
  let bidsRejected = 0;
  async function competition(pid: number, unit: { id: number }, item: { categoryCode: string; name: string; quantity: number; unit: string; unitPriceFen: number }, refUnitFen: number) {
    const p = await proj.loadProject(db, pid);
    const ceilingFen = Number(p.budget_fen);
    const startsAt = new Date(clock.now().getTime() + (2 + rnd.int(0, 3)) * DAY);
    const step = Math.max(100, Math.round(ceilingFen / 400 / 100) * 100); // about 0.25 %, whole yuan
    const a = await auctions.create(op, sessionOf(operator), { title: `${item.name}网上竞价`, lotDescription: `${item.name} ${item.quantity}${item.unit}，含三年质保`, quantity: item.quantity, unit: item.unit, categoryCode: item.categoryCode, ceilingFen, decrementKind: 'absolute', decrementValue: step, startsAt: startsAt.toISOString(), durationSec: 1800, extensionSec: 120, maxExtensionSec: 1800, visibility: 'best_price', minSuppliers: 3, minBrands: 2, orgId: unit.id, projectId: pid, requisitionId: p.requisition_id });
    // Suppliers registered for the category join with a brand they supply.
    const offers = brands.filter((b: any) => b.category_code === item.categoryCode && approved.has(b.supplier_id));
    const seen = new Set<number>();
    const joined: Array<{ person: Person; floorFen: number }> = [];
    for (const b of rnd.sample(offers, offers.length)) {
      if (seen.has(b.supplier_id) || joined.length >= rnd.int(3, 6)) continue;
      seen.add(b.supplier_id);
      const person = bySupplier.get(b.supplier_id)!;
      await sim.wait(rnd.next() * DAY / 2);
      await auctions.join(actorOf(person), sessionOf(person), a.id, { brand: b.brand, model: b.model });
      // Each supplier's lowest acceptable price: the market price less its margin for this volume.
      joined.push({ person, floorFen: Math.round((refUnitFen * item.quantity * (0.84 + rnd.next() * 0.14)) / 100) * 100 });
    }
    await sim.waitUntil(startsAt.getTime() + 1000); // the open job starts it
    const client = (person: Person) => ({ user: sessionOf(person), ip: `10.1.${person.supplierId! % 250}.${person.id % 250}` }) as unknown as Client;
    let best = ceilingFen;
    let n = 0;
    for (let round = 0; round < 400; round++) {
      let bid = false;
      for (const j of rnd.sample(joined, joined.length)) {
        const amount = (round === 0 ? ceilingFen : best) - step * (round === 0 ? rnd.int(1, 8) : rnd.int(1, 3));
        if (amount < j.floorFen) continue;
        await sim.wait(1000 * rnd.int(5, 40));
        const ans: any = await auctions.bid(client(j.person), { type: 'bid', auctionId: a.id, amount, clientBidId: `sim-${++n}` });
        if (ans.type === 'bid.accepted') {
          bidsAccepted++;
          best = Math.min(best, amount);
          bid = true;
        } else bidsRejected++;
      }
      if (!bid) break;
    }
    // Past the end (with any anti-sniping extension): the close job ends it.
    await sim.wait(3600_000);
    // The competition handed its result to the project when it closed (auctions/workflow-link.ts).
    const result = await auctionAward(db, a.id);
    const stage = (await proj.loadProject(db, pid)).stage;
    if (result.status !== 'closed' || !result.winnerSupplierId) {
      if (stage !== 'failed') throw new Error(`competition ${result.code} failed but project ${pid} is in ${stage}`);
      return;
    }
    if (stage !== 'award_notice') throw new Error(`competition ${result.code} closed but project ${pid} is in ${stage}`);
    referenceByProject.set(pid, { categoryCode: item.categoryCode, referenceFen: refUnitFen * item.quantity });
  }

  // ---- the other methods through the projects service ----
  async function otherMethod(pid: number, budgetFen: number) {
    const p = await proj.loadProject(db, pid);
    const r = await db('requisitions').where({ id: p.requisition_id }).first('category_code');
    const pickSupplier = () => rnd.pick(suppliersFor(r.category_code));
    const price = () => Math.round((budgetFen * (0.78 + rnd.next() * 0.2)) / 100) * 100;
    const iso = (days: number) => new Date(clock.now().getTime() + days * DAY).toISOString();
    await sim.wait((2 + rnd.next() * 8) * DAY); // documents prepared
    if (p.method === 'public_tender' && process.env.SIM_TENDER_MODULE !== '0') {
      return electronicTender(pid, budgetFen, r.category_code);
    }
    if (p.method === 'invitational_tender') return invitationalTender(pid, budgetFen, r.category_code);
    if (p.method === 'competitive_consultation') return consultation(pid, budgetFen, r.category_code);
    if (p.method === 'public_tender') {
      await tx((t) => proj.publishNotice(t, op, pid, { deadlineAt: iso(21 + rnd.int(0, 6)) }));
      await sim.wait(DAY);
      await tx((t) => proj.issueDocuments(t, op, pid, {}));
      await until(pid, ['opening']);
      const bids = rnd.next() < 0.08 ? 2 : rnd.int(3, 9);
      await tx((t) => proj.recordOpening(t, op, pid, { bidsReceived: bids }));
      if ((await proj.loadProject(db, pid)).stage === 'failed') return false;
      await sim.wait((3 + rnd.next() * 10) * DAY);
      await tx((t) => proj.recordResult(t, op, pid, { validResponses: Math.max(3, bids - rnd.int(0, 2)), supplierId: pickSupplier(), amountFen: price() }));
    } else if (p.method === 'inquiry' || p.method === 'competitive_negotiation') {
      // At least the rule's working days on the city's calendar (a week of calendar days is not, over Spring Festival).
      const wd = (await loadRuleBook(db))[p.method === 'inquiry' ? 'inquiryResponsePeriodWorkingDays' : 'negotiationResponsePeriodWorkingDays'].value;
      const earliest = (await loadCalendar(db)).addWorkingDays(clock.now(), wd).getTime() + 3600_000;
      await tx((t) => proj.issueDocuments(t, op, pid, { deadlineAt: new Date(Math.max(Date.parse(iso(5 + rnd.int(0, 5))), earliest)).toISOString() }));
      await until(pid, ['evaluation']);
      await sim.wait((1 + rnd.next() * 6) * DAY);
      const valid = rnd.next() < 0.07 ? 2 : rnd.int(3, 6);
      await tx((t) => proj.recordResult(t, op, pid, { validResponses: valid, supplierId: pickSupplier(), amountFen: price() }));
    } else if (p.method === 'single_source') {
      await tx((t) => proj.publishJustification(t, op, pid));
      await until(pid, ['negotiation']);
      await sim.wait((2 + rnd.next() * 6) * DAY);
      await tx((t) => proj.recordNegotiation(t, op, pid, { supplierId: pickSupplier(), amountFen: Math.round((budgetFen * (0.93 + rnd.next() * 0.06)) / 100) * 100 }));
    }
    return (await proj.loadProject(db, pid)).stage !== 'failed';
  }

  // ---- an invitational tender: the sealed supplier draw, then the tender among the invited ----
  const invitations = invitationServiceFor({ config, scheduler: platform.scheduler, realtime: platform.realtime, clock });
  const invitational = { projects: 0, invited: 0, revealed: 0, verified: 0 };
  async function invitationalTender(pid: number, budgetFen: number, categoryCode: string): Promise<boolean> {
    const p = await proj.loadProject(db, pid);
    const pool = suppliersFor(categoryCode).filter((id) => bySupplier.has(id));
    const count = Math.min(pool.length, rnd.int(4, 6));
    const draw = await tx(async (t) => {
      const d = await invitations.drawSuppliers(t, { subject: { type: 'project', id: pid, ref: p.ref }, categoryCode, count, revealAt: new Date(clock.now().getTime() + 21 * DAY) }, op);
      await proj.recordInvitations(t, op, pid, { source: 'draw', invited: count, drawId: d.id });
      return d;
    });
    invitational.projects++;
    invitational.invited += count;
    // Each supplier learns of its own invitation (its tag); the invited bid, the others cannot.
    const invited: number[] = [];
    for (const id of pool) if (await invitations.isInvited(db, { type: 'project', id: pid }, id)) invited.push(id);
    const ok = await electronicTender(pid, budgetFen, categoryCode, invited);
    const revealed = await invitations.loadDraw(db, draw.id);
    if (revealed.status === 'revealed') {
      invitational.revealed++;
      const { verifyPublicDraw } = await import('../server/execution/draws/selection');
      const { nodeHashes } = await import('../server/execution/draws/seal');
      if (verifyPublicDraw(invitations.publicRecord(revealed), nodeHashes).ok) invitational.verified++;
    }
    return ok;
  }

  // ---- the sealed expert draw for a tender's committee: request, invitations answered, reveal ----
  const draws = drawServiceFor({ config, scheduler: platform.scheduler, realtime: platform.realtime, clock });
  const expertDraws = { requested: 0, revealed: 0, declines: 0, refused: 0, linkedDirectly: 0 };
  async function committeeByDraw(tenderId: number, pid: number, orgId: number, categoryCode: string, bidders: number[], budgetFen: number): Promise<Array<{ expertId: number; userId: number }> | null> {
    const size = committeeSizeFor(budgetFen);
    const t = await db('tenders').where({ id: tenderId }).first('reference');
    const revealAt = new Date(clock.now().getTime() + 3 * 3600_000);
    let drawId: number;
    try {
      const d = await tx((x) => draws.requestDraw(x, op, { projectRef: t.reference, projectId: pid, purchasingOrgId: orgId, supplierIds: bidders, groups: [{ specialty: categoryCode, count: size }], evaluationAt: new Date(revealAt.getTime() + 3600_000), evaluationPlace: '市公共资源交易中心评标室', revealAt, responseMinutes: 60 }));
      drawId = d.id;
      expertDraws.requested++;
    } catch (e) {
      if (e instanceof RuleError) {
        expertDraws.refused++; // too few eligible experts of the specialty: the committee is named directly
        return null;
      }
      throw e;
    }
    // The invited experts answer from their own invitations (found by their tags); some decline and a replacement is drawn.
    const specialists = (await db('expert_specialties').where({ category_code: categoryCode }).pluck('expert_id')).map(Number);
    for (let round = 0; round < 6; round++) {
      let pending = 0;
      for (const expertId of specialists) {
        for (const inv of (await draws.myInvitations(db, expertId)).filter((i) => i.drawId === drawId && i.status === 'pending')) {
          pending++;
          await sim.wait(60_000 * rnd.int(1, 6));
          const userId = await tx((x) => ensureExpertUser(x, clock, expertId));
          const answer = rnd.next() < 0.12 ? 'decline' : 'accept';
          try {
            await tx((x) => draws.respond(x, { userId, role: 'expert', requestId: null, ip: '10.2.0.9', clock }, expertId, inv.id, answer));
            if (answer === 'decline') expertDraws.declines++;
          } catch (e) {
            // Too late: the answer deadline passed meanwhile and a replacement was drawn.
            if ((e as { code?: string }).code !== 'INVITATION_EXPIRED') throw e;
          }
        }
      }
      if (!pending) break;
    }
    await sim.waitUntil(revealAt.getTime() + 60_000); // the reveal job; the tender takes its committee from it
    if ((await db('draws').where({ id: drawId }).first('status')).status !== 'revealed') throw new Error(`draw ${drawId} not revealed`);
    expertDraws.revealed++;
    await sim.wait(60_000);
    if (!(await db('tender_committee').where({ tender_id: tenderId }).first('expert_id'))) {
      try {
        await linkCommitteeFromDraw(tdeps, op, tenderId, String(drawId));
      } catch (e) {
        // Seats left empty (the specialty ran out): below the legal committee, named directly instead.
        if (e instanceof RuleError) return null;
        if ((e as { code?: string }).code !== 'COMMITTEE_EXISTS') throw e;
      }
    }
    const members = (await db('tender_committee').where({ tender_id: tenderId }).pluck('expert_id')).map(Number);
    if (members.length < size) return null;
    return Promise.all(members.map(async (expertId) => ({ expertId, userId: await tx((x) => ensureExpertUser(x, clock, expertId)) })));
  }

  // ---- a public tender through the tendering module: sealed bids, online opening, committee ----
  async function electronicTender(pid: number, budgetFen: number, categoryCode: string, invited?: number[]): Promise<boolean> {
    const kind = (await db('catalogue_categories').where({ code: categoryCode }).first('kind')).kind as 'goods' | 'services' | 'works';
    const tpl = TEMPLATES[kind];
    const deadline = new Date(clock.now().getTime() + (22 + rnd.int(0, 5)) * DAY);
    const p = await db('procurement_projects').where({ id: pid }).first('title', 'org_id');
    const created = await createTender(tdeps, op, { title: `${p.title}（${invited ? '邀请招标' : '公开招标'}）`, kind, categoryCode, projectId: pid, budgetFen, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: `${p.title}，详见招标文件。`, requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline.toISOString(), openingAt: deadline.toISOString() });
    const tenderId = (created as { id: number }).id;
    await publishTender(tdeps, op, tenderId);
    // Bidders seal their offers in the browser's format (AES-GCM envelope, key kept by the bidder).
    const pool = invited ? rnd.sample(invited, Math.max(3, invited.length - rnd.int(0, 1))) : rnd.sample(suppliersFor(categoryCode).filter((id) => bySupplier.has(id)), rnd.int(3, 6));
    const sealed: Array<{ person: Person; keyHex: string }> = [];
    const responses = Object.fromEntries(tpl.requirements.map((r) => [r.key, '完全响应招标文件要求']));
    const times = pool.map(() => clock.now().getTime() + DAY + rnd.next() * (deadline.getTime() - clock.now().getTime() - 2 * DAY)).sort((a, b) => a - b);
    for (const [k, supplierId] of pool.entries()) {
      await sim.waitUntil(times[k]);
      const person = bySupplier.get(supplierId)!;
      const keyHex = randomHex(32);
      const priceFen = Math.round((budgetFen * (0.86 + rnd.next() * 0.12)) / 100) * 100;
      const bid = sealBid({ tenderId, supplierId, priceFen, responses, attachments: [] }, { keyHex });
      await submitBid(tdeps, actorOf(person), supplierId, tenderId, { envelope: bid.envelope, digest: bid.digest });
      sealed.push({ person, keyHex });
    }
    await sim.waitUntil(deadline.getTime() + 1000); // the opening job starts the session
    for (const b of sealed) {
      await sim.wait(60_000 * rnd.int(1, 5));
      await submitKey(tdeps, actorOf(b.person), b.person.supplierId!, tenderId, b.keyHex);
    }
    const t0 = await db('tenders').where({ id: tenderId }).first('status');
    if (t0.status !== 'evaluation') {
      await sim.wait(3600_000); // a failed opening: the tender module fails the project
      return (await proj.loadProject(db, pid)).stage !== 'failed';
    }
    // The committee from the sealed expert draw; named directly only when the specialty's pool is too small.
    let committee = await committeeByDraw(tenderId, pid, p.org_id, categoryCode, sealed.map((b) => b.person.supplierId!), budgetFen);
    if (!committee) {
      expertDraws.linkedDirectly++;
      committee = rnd.sample(experts, committeeSizeFor(budgetFen));
      await tx((t) => linkCommittee(tdeps, t, op, tenderId, committee!.map((e, i) => ({ expertId: e.expertId, chair: i === 0 })), { source: 'direct', sourceRef: 'simulate', projectId: pid }));
    }
    const compliance = Object.fromEntries(tpl.qualifications.map((q) => [q.key, true]));
    const scored = tpl.criteria.filter((c) => c.kind !== 'price');
    for (const e of committee) {
      await sim.wait((0.1 + rnd.next()) * DAY);
      const view = await evaluationView(tdeps, tenderId, e.expertId);
      for (const b of view.bids as Array<{ bidId: number }>) {
        const scores = Object.fromEntries(scored.map((c) => [c.key, Math.round(c.weight * (0.6 + rnd.next() * 0.4) * 10) / 10]));
        await saveScores(tdeps, expertActor(e), e.expertId, tenderId, b.bidId, { compliance, scores });
      }
      await submitScores(tdeps, expertActor(e), e.expertId, tenderId);
    }
    const ev = await evaluationView(tdeps, tenderId, committee![0].expertId);
    if (!ev.report) throw new Error(`tender ${tenderId} evaluation not finished (${ev.status})`);
    for (const e of committee) await confirmReport(tdeps, expertActor(e), e.expertId, tenderId, ev.report.sha256!);
    await sim.wait((1 + rnd.next() * 3) * DAY);
    const unit = await db('organisations').where({ id: p.org_id }).first('code');
    await awardTender(tdeps, actorOf(people.get(`sim-buyer-${unit.code}`)!), tenderId, {});
    tendersAwarded++;
    return true;
  }

  // ---- a competitive consultation: responses, a team, rounds, a change, sealed final quotations ----
  let consultationsAwarded = 0;
  async function consultation(pid: number, budgetFen: number, categoryCode: string): Promise<boolean> {
    const tpl = TEMPLATES.services;
    const p = await db('procurement_projects').where({ id: pid }).first('title', 'org_id');
    // 20 days: at least 10 days and 5 working days whatever the holidays (Finance Treasury [2014] No. 214 art. 10).
    const deadline = new Date(clock.now().getTime() + (20 + rnd.int(0, 5)) * DAY);
    const byDraw = suppliersFor(categoryCode).filter((id) => bySupplier.has(id)).length >= 4 && rnd.next() < 0.5;
    const c = await consult.createConsultation(tdeps, op, { title: `${p.title}（竞争性磋商）`, kind: 'services', categoryCode, projectId: pid, budgetFen, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: `${p.title}，服务标准在磋商中明确。`, requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, invitation: byDraw ? 'draw' : 'public_notice', responseDeadline: deadline.toISOString() });
    if (byDraw) await consult.drawInvitations(tdeps, op, c.id, { count: 3 + rnd.int(0, 1) });
    await consult.issueDocuments(tdeps, op, c.id);
    // Who responds: the invited (found by their sealed tags) or suppliers of the category answering the notice.
    const candidates = suppliersFor(categoryCode).filter((id) => bySupplier.has(id));
    const invited = byDraw ? (await Promise.all(candidates.map(async (id) => ((await consult.invitations(tdeps).isInvited(db, consult.invitationSubject(c), id)) ? id : null)))).filter((x): x is number => x !== null) : rnd.sample(candidates, Math.min(candidates.length, rnd.int(3, 5)));
    const responders = rnd.next() < 0.06 ? invited.slice(0, 2) : invited;
    const times = responders.map(() => clock.now().getTime() + DAY + rnd.next() * (deadline.getTime() - clock.now().getTime() - 2 * DAY)).sort((a, b) => a - b);
    for (const [k, supplierId] of responders.entries()) {
      await sim.waitUntil(times[k]);
      const person = bySupplier.get(supplierId)!;
      await consult.submitResponse(tdeps, actorOf(person), supplierId, c.id, { text: '首次响应：服务方案、人员配置及报价构成详见响应文件。' });
    }
    await sim.waitUntil(deadline.getTime() + 1000); // the deadline job closes the responses
    if ((await findConsultation(db, c.id)).status !== 'consulting') return false;
    const team = rnd.sample(experts, 5);
    await tx(async (t) => consult.linkTeam(tdeps, t, op, await findConsultation(t, c.id), team.map((e, i) => ({ expertId: e.expertId, chair: i === 0 })), { source: 'direct', sourceRef: 'simulate' }));
    for (const supplierId of responders) {
      await sim.wait((0.05 + rnd.next() * 0.1) * DAY);
      await consult.recordRound(tdeps, expertActor(team[0]), team[0].expertId, c.id, { supplierId, minutes: '逐项确认服务范围、人员配置与响应时限。' });
    }
    const change = await consult.issueChange(tdeps, expertActor(team[0]), { expertId: team[0].expertId }, c.id, { summary: '服务标准细化', body: '服务响应时限调整为 2 小时到场。经采购人代表确认。' });
    for (const supplierId of responders) {
      await sim.wait(rnd.next() * 0.2 * DAY);
      await consult.acknowledgeChange(tdeps, actorOf(bySupplier.get(supplierId)!), supplierId, c.id, change.changeId);
    }
    await sim.wait((0.5 + rnd.next()) * DAY);
    const fqDeadline = new Date(clock.now().getTime() + (2 + rnd.int(0, 2)) * DAY);
    const called = await consult.callFinalQuotations(tdeps, op, c.id, { deadline: fqDeadline.toISOString() });
    const tenderId = called.tenderId!;
    const responses = Object.fromEntries(tpl.requirements.map((r) => [r.key, '按变更后的磋商文件响应']));
    const sealed: Array<{ person: Person; keyHex: string }> = [];
    for (const supplierId of responders) {
      await sim.wait(rnd.next() * 0.5 * DAY);
      const person = bySupplier.get(supplierId)!;
      const keyHex = randomHex(32);
      const bid = sealBid({ tenderId, supplierId, priceFen: Math.round((budgetFen * (0.84 + rnd.next() * 0.14)) / 100) * 100, responses, attachments: [] }, { keyHex });
      await submitBid(tdeps, actorOf(person), supplierId, tenderId, { envelope: bid.envelope, digest: bid.digest });
      sealed.push({ person, keyHex });
    }
    await sim.waitUntil(fqDeadline.getTime() + 1000); // the opening job starts the session
    for (const b of sealed) {
      await sim.wait(60_000 * rnd.int(1, 5));
      await submitKey(tdeps, actorOf(b.person), b.person.supplierId!, tenderId, b.keyHex);
    }
    if ((await db('tenders').where({ id: tenderId }).first('status')).status !== 'evaluation') {
      await sim.wait(3600_000);
      return (await proj.loadProject(db, pid)).stage !== 'failed';
    }
    const compliance = Object.fromEntries(tpl.qualifications.map((q) => [q.key, true]));
    const scored = tpl.criteria.filter((k) => k.kind !== 'price');
    for (const e of team) {
      await sim.wait((0.05 + rnd.next() * 0.3) * DAY);
      const view = await evaluationView(tdeps, tenderId, e.expertId);
      for (const b of view.bids as Array<{ bidId: number }>) await saveScores(tdeps, expertActor(e), e.expertId, tenderId, b.bidId, { compliance, scores: Object.fromEntries(scored.map((k) => [k.key, Math.round(k.weight * (0.6 + rnd.next() * 0.4) * 10) / 10])) });
      await submitScores(tdeps, expertActor(e), e.expertId, tenderId);
    }
    const ev = await evaluationView(tdeps, tenderId, team[0].expertId);
    if (!ev.report) throw new Error(`consultation ${c.reference} scoring not finished (${ev.status})`);
    for (const e of team) await confirmReport(tdeps, expertActor(e), e.expertId, tenderId, ev.report.sha256!);
    await sim.wait((1 + rnd.next() * 3) * DAY);
    const unit = await db('organisations').where({ id: p.org_id }).first('code');
    await awardTender(tdeps, actorOf(people.get(`sim-buyer-${unit.code}`)!), tenderId, {});
    consultationsAwarded++;
    return true;
  }

  // ---- framework agreements (MOF Order No. 110): the centre's first stage, then orders within them ----
  const fdeps: framework.FrameworkDeps = { db, sealKey: config.secrets.sealKey, scheduler: platform.scheduler, auctions: () => auctions };
  const frameworkStats = { agreements: 0, entries: 0, orders: { direct: 0, rotation: 0, competition: 0 }, secondCompetitionsClosed: 0 };
  async function firstStage(code: string, method: 'price_priority' | 'quality_priority', modes: Array<'direct' | 'competition' | 'rotation'>) {
    const e = ELECTRONICS[code];
    const deadline = clock.now().getTime() + 21 * DAY;
    const day = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
    const termStart = day(deadline + DAY);
    const termEnd = day(Date.parse(`${termStart}T00:00:00+08:00`) + 364 * DAY);
    const id = await tx((t) => framework.createCall(t, op, { title: e.name, categoryCode: code, evaluationMethod: method, entryConditions: '具有独立承担民事责任的能力；在本市设有售后服务网点。', secondStageModes: modes, termStart, termEnd, items: [{ categoryCode: code, name: e.name, specification: `${e.name}，符合国家标准，含三年质保`, unit: e.unit, maxPriceFen: Math.round(e.refYuan * 1.1) * YUAN }] }));
    await tx((t) => framework.publishCall(t, op, platform.scheduler, id, { responseDeadline: new Date(deadline).toISOString() }));
    const item = await db('framework_agreement_items').where({ agreement_id: id }).first('id');
    const seen = new Set<number>();
    const keys = new Map<number, string>();
    for (const b of rnd.sample(brands.filter((x: any) => x.category_code === code && approved.has(x.supplier_id)), brands.filter((x: any) => x.category_code === code && approved.has(x.supplier_id)).length)) {
      if (seen.has(b.supplier_id) || seen.size >= 7) continue;
      seen.add(b.supplier_id);
      await sim.wait(rnd.next() * 2 * DAY);
      const sales = bySupplier.get(b.supplier_id)!;
      // Sealed as the browser seals it, under a key the supplier keeps until the opening.
      const sealed = sealResponse({ agreementId: id, supplierId: b.supplier_id, statement: '响应全部条件', items: [{ itemId: item.id, unitPriceFen: Math.round(e.refYuan * (0.86 + rnd.next() * 0.2)) * YUAN, brand: b.brand, model: b.model }] }, { keyHex: randomHex(32) });
      keys.set(b.supplier_id, sealed.keyHex);
      await tx((t) => framework.submitResponse(t, actorOf(sales), b.supplier_id, id, { envelope: sealed.envelope, digest: sealed.digest }));
    }
    await sim.waitUntil(deadline + 60_000); // the opening job: the key window opens
    // Each responder hands in its key; now and then one mistypes it first (refused, retried).
    const fdeps: framework.FrameworkDeps = { db, sealKey: config.secrets.sealKey, scheduler: platform.scheduler, auctions: () => { throw new Error('no auctions in the key window'); } };
    for (const [supplierId, keyHex] of keys) {
      await sim.wait(rnd.next() * 5 * 60_000);
      const sales = actorOf(bySupplier.get(supplierId)!);
      if (rnd.next() < 0.1) await framework.submitResponseKey(fdeps, sales, supplierId, id, randomHex(32)).catch((err) => { if (err.code !== 'WRONG_KEY') throw err; });
      await framework.submitResponseKey(fdeps, sales, supplierId, id, keyHex);
    }
    await sim.wait(rnd.int(1, 3) * DAY);
    const opened = await db('framework_responses').where({ agreement_id: id, status: 'opened', valid: true }).select('supplier_id');
    await tx((t) => framework.evaluate(t, op, id, { scores: method === 'quality_priority' ? opened.map((r: any) => ({ supplierId: r.supplier_id, qualityScore: rnd.int(60, 98) })) : [] }));
    for (const en of await db('framework_entries').where({ agreement_id: id })) {
      await sim.wait(rnd.next() * DAY);
      const sales = bySupplier.get(en.supplier_id)!;
      await tx((t) => framework.signEntry(t, actorOf(sales), en.supplier_id, id));
      frameworkStats.entries++;
    }
    frameworkStats.agreements++;
  }
  sim.spawn('framework-tablets', Date.UTC(YEAR, 0, 2, 2, 0, 0), () => firstStage('A02010108', 'price_priority', ['direct', 'competition', 'rotation']));
  sim.spawn('framework-laptops', Date.UTC(YEAR, 0, 6, 2, 0, 0), () => firstStage('A02010105', 'quality_priority', ['direct', 'rotation']));

  /** An order within the agreement in force: a second competition, a direct selection or rotation. */
  async function frameworkOrder(pid: number, unit: { code: string }) {
    const buyer = people.get(`sim-buyer-${unit.code}`)!;
    await sim.wait((0.5 + rnd.next() * 3) * DAY);
    const o = await framework.orderOptions(db, sessionOf(buyer), pid, clock.now());
    const mode = o.modes.includes('competition') && o.entries.length >= o.competitionMinimum && rnd.next() < 0.35 ? 'competition' : o.modes.includes('rotation') && rnd.next() < 0.4 ? 'rotation' : 'direct';
    frameworkStats.orders[mode]++;
    if (mode !== 'competition') {
      // A direct choice: most units take the cheapest entry, some the nearest service point.
      const pick = rnd.next() < 0.7 ? o.entries.reduce((a, b) => (b.orderFen < a.orderFen ? b : a)) : rnd.pick(o.entries);
      await framework.placeOrder(fdeps, actorOf(buyer), sessionOf(buyer), mode === 'direct' ? { projectId: pid, mode, supplierId: pick.supplierId, reason: pick.orderFen === Math.min(...o.entries.map((e) => e.orderFen)) ? '协议价格最低' : '售后服务网点最近' } : { projectId: pid, mode });
      return;
    }
    const ceiling = o.ceilingFen!;
    const step = Math.max(100, Math.round(ceiling / 400 / 100) * 100);
    const startsAt = new Date(clock.now().getTime() + (1 + rnd.int(0, 2)) * DAY);
    const placed: any = await framework.placeOrder(fdeps, actorOf(buyer), sessionOf(buyer), { projectId: pid, mode, competition: { startsAt: startsAt.toISOString(), durationSec: 1800, decrementKind: 'absolute', decrementValue: step } });
    const joined: Array<{ person: Person; floorFen: number }> = [];
    for (const en of o.entries) {
      const person = bySupplier.get(en.supplierId)!;
      await sim.wait(rnd.next() * DAY / 3);
      await auctions.join(actorOf(person), sessionOf(person), placed.auctionId, { brand: en.prices[0].brand, model: en.prices[0].model });
      joined.push({ person, floorFen: Math.round((en.orderFen * (0.9 + rnd.next() * 0.08)) / 100) * 100 });
    }
    await sim.waitUntil(startsAt.getTime() + 1000);
    const client = (person: Person) => ({ user: sessionOf(person), ip: `10.1.${person.supplierId! % 250}.${person.id % 250}` }) as unknown as Client;
    let best = ceiling;
    let n = 0;
    for (let round = 0; round < 200; round++) {
      let bid = false;
      for (const j of rnd.sample(joined, joined.length)) {
        const amount = best - step * rnd.int(1, 3);
        if (amount < j.floorFen) continue;
        await sim.wait(1000 * rnd.int(5, 40));
        const ans: any = await auctions.bid(client(j.person), { type: 'bid', auctionId: placed.auctionId, amount, clientBidId: `sim-fw-${pid}-${++n}` });
        if (ans.type === 'bid.accepted') {
          bidsAccepted++;
          best = Math.min(best, amount);
          bid = true;
        } else bidsRejected++;
      }
      if (!bid) break;
    }
    await sim.wait(3600_000);
    if ((await auctionAward(db, placed.auctionId)).status === 'closed') frameworkStats.secondCompetitionsClosed++;
  }

  // ---- the year's stories ----
  const yearStart = Date.UTC(YEAR, 0, 3, 1, 0, 0);
  let raised = 0;
  for (let month = 0; month < 12; month++) {
    for (let k = 0; k < PER_MONTH; k++) {
      const startAt = Date.UTC(YEAR, month, 1 + rnd.int(0, 26), 1 + rnd.int(0, 8), rnd.int(0, 59));
      if (startAt < yearStart) continue;
      const unit = rnd.pick(units);
      const roll = rnd.next();
      raised++;
      const name = `story-${raised}`;
      if (roll < 0.45) {
        // Framework electronics by online price competition, priced at the market plus a margin.
        const [code, e] = rnd.pick(Object.entries({ ...ELECTRONICS, A02061800: OTHER_GOODS.A02061800, A05010100: OTHER_GOODS.A05010100 }).filter(([c]) => ELECTRONICS[c] || rnd.next() < 0.3));
        const qty = rnd.int(5, 80);
        const unitPriceFen = Math.round(e.refYuan * (1.04 + rnd.next() * 0.12)) * YUAN;
        const item = { categoryCode: code, name: e.name, quantity: qty, unit: e.unit, unitPriceFen };
        sim.spawn(name, startAt, async () => {
          const pid = await requisitionToProject(unit, `${e.name}采购（${qty}${e.unit}）`, [item], null);
          const p = await proj.loadProject(db, pid);
          if (p.method === 'framework_order') {
            await frameworkOrder(pid, unit);
            if ((await proj.loadProject(db, pid)).stage !== 'failed') await contractAndPay(pid, unit);
            return;
          }
          if (p.method !== 'online_price_competition') {
            if (await otherMethod(pid, Number(p.budget_fen))) await contractAndPay(pid, unit);
            return;
          }
          await competition(pid, unit, item, e.refYuan * YUAN);
          if ((await proj.loadProject(db, pid)).stage !== 'failed' && rnd.next() < 0.93) await contractAndPay(pid, unit);
        });
      } else if (roll < 0.65) {
        const code = rnd.pick(['A02010201', 'A02010302', 'A02320000']);
        const g = OTHER_GOODS[code];
        const qty = code === 'A02320000' ? rnd.int(1, 10) : rnd.int(2, 30);
        const items = [{ categoryCode: code, name: g.name, quantity: qty, unit: g.unit, unitPriceFen: Math.round(g.refYuan * (0.9 + rnd.next() * 0.3)) * YUAN }];
        if (code !== 'A02320000' && rnd.next() < 0.5) items.push({ categoryCode: 'A02021003', name: ELECTRONICS.A02021003.name, quantity: rnd.int(2, 10), unit: '台', unitPriceFen: 2300 * YUAN });
        const single = rnd.next() < 0.12 ? '原有系统的升级扩容，只能向原供应商采购以保证兼容（政府采购法第三十一条第二项）' : null;
        // Specialised medical equipment: a few makers only, so the unit often asks for an invitational tender (law art. 29).
        const invitationalReason = !single && code === 'A02320000' && rnd.next() < 0.5 ? '该类医疗设备技术要求特殊，只能从有限范围的供应商处采购（政府采购法第二十九条第一项）' : null;
        sim.spawn(name, startAt, async () => {
          const pid = await requisitionToProject(unit, `${g.name}采购`, items, single, invitationalReason);
          const p = await proj.loadProject(db, pid);
          if ((await otherMethod(pid, Number(p.budget_fen))) && rnd.next() < 0.92) await contractAndPay(pid, unit);
        });
      } else {
        const code = rnd.pick(Object.keys(SERVICES));
        const sv = SERVICES[code];
        const amount = Math.round(sv.yuan[0] + rnd.next() * (sv.yuan[1] - sv.yuan[0])) * YUAN;
        // About a third of the services whose needs are worked out with suppliers are asked for by consultation.
        const consultation = code !== 'B07' && rnd.next() < 0.35 ? { requestedMethod: 'competitive_consultation' as const, methodRequestReason: '服务标准需与供应商磋商后确定（财库〔2014〕214号第三条）' } : null;
        sim.spawn(name, startAt, async () => {
          const pid = await requisitionToProject(unit, `${sv.name}项目`, [{ categoryCode: code, name: sv.name, quantity: 1, unit: sv.unit, unitPriceFen: amount }], null, null, consultation);
          if ((await otherMethod(pid, amount)) && rnd.next() < 0.92) await contractAndPay(pid, unit);
        });
      }
    }
  }
  log(`${raised} requisitions over ${YEAR}; running the city…`);
  await sim.run();
  await auctions.stop?.();

  // The report facts, result notices and OCDS releases of every project (the hook's work).
  await reconcile(db, systemActor('simulate', clock), { batch: 200 });
  const cycle = await reports.cycleReport(db, {});
  const savings = await reports.savingsReport(db, {});
  const suppliers = await reports.suppliersReport(db, {});
  const spend = await reports.spendReport(db, 'method', {});
  // Electronics bought by competition: award against the market reference price (exact, in fen).
  const competitionIds = [...referenceByProject.keys()];
  const awarded = competitionIds.length ? await db('procurement_projects').whereIn('id', competitionIds).whereNot('stage', 'failed').select('id', 'award_fen', 'budget_fen') : [];
  let refFen = 0;
  let awardFen = 0;
  let ceilingFen = 0;
  for (const p of awarded) {
    const r = referenceByProject.get(p.id)!;
    if (!ELECTRONICS[r.categoryCode]) continue;
    refFen += r.referenceFen;
    awardFen += Number(p.award_fen);
    ceilingFen += Number(p.budget_fen);
  }
  const counts = Object.fromEntries((await db('procurement_projects').select('stage').count({ n: '*' }).groupBy('stage')).map((r: any) => [r.stage, Number(r.n)]));
  const out = {
    year: YEAR,
    database: where,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
    requisitions: raised,
    projectsByStage: counts,
    tenders: { tenders: Number((await db('tenders').count({ n: '*' }).first())?.n), awarded: tendersAwarded, bids: Number((await db('tender_bids').count({ n: '*' }).first())?.n) },
    consultations: { consultations: Number((await db('consultations').count({ n: '*' }).first())?.n), awarded: consultationsAwarded, failed: Number((await db('consultations').where({ status: 'failed' }).count({ n: '*' }).first())?.n), rounds: Number((await db('consultation_rounds').count({ n: '*' }).first())?.n) },
    competitions: { auctions: Number((await db('auctions').count({ n: '*' }).first())?.n), closed: Number((await db('auctions').where({ status: 'closed' }).count({ n: '*' }).first())?.n), bidsAccepted, bidsRejected },
    avgDaysRequisitionToContract: Object.fromEntries(cycle.requisitionToContract.map((r: any) => [r.method, { projects: r.count, avgDays: r.avgDays }])),
    savings: {
      budgetAgainstAwardBp: savings.totals.savingsBp,
      byMethodBp: Object.fromEntries(savings.rows.map((r: any) => [r.method, r.savingsBp])),
      competitionAgainstCeilingBp: savings.competition?.savingsBp ?? null,
      electronicsByCompetition: { projects: awarded.filter((p: any) => ELECTRONICS[referenceByProject.get(p.id)!.categoryCode]).length, referenceFen: refFen, ceilingFen, awardFen, againstCeilingBp: savingsBp(ceilingFen, awardFen), againstReferenceBp: savingsBp(refFen, awardFen) },
    },
    spendFen: spend.totals.awardFen,
    supplierHhi: suppliers.hhi,
    smallBusinessShareBp: suppliers.smallBusinessShareBp,
    framework: frameworkStats,
    ocdsReleases: Number((await db('ocds_releases').count({ n: '*' }).first())?.n),
    failures: sim.failures.slice(0, 10),
    failureCount: sim.failures.length,
    invitationalTenders: invitational,
    expertDraws,
    notDriven: ['challenges during the challenge period', 'amendments and clarifications of tender documents', 'prequalification for invitational tenders (drawn only)', 'competitive consultation and framework agreements'],
  };
  await platform.close();
  await db.destroy();
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
