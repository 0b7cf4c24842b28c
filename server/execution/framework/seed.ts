// Demo data for framework-agreement procurement, created through the services on a story clock
// (as the workflow demo is): agreements in each first-stage state — a draft, a call taking sealed
// responses, one waiting for its evaluation, one waiting for signatures, a failed call — and one
// agreement in force with an order of each kind: a direct selection paid for, a rotation order in
// its contract stage, and a second competition announced on the live auction engine.
import type { ModuleContext } from '../../platform';
import { withTx, type Tx } from '../../db/tx';
import { type Clock } from '../../db/time';
import { systemActor, type Actor } from '../../http/actor';
import type { SessionUser } from '../../http/auth/sessions';
import { createLogger } from '../../http/log';
import { Scheduler } from '../../scheduler/scheduler';
import { loadCalendar } from '../../core/rules/calendar';
import * as req from '../../core/requisitions/service';
import { decide } from '../../core/approvals/service';
import * as con from '../../core/contracts/service';
import { defineWorkflowJobs } from '../../core/workflow/module';
import { allocate, lineMoney } from '../../core/budget/service';
import type { ItemInput } from '../../core/requisitions/rules';
import * as svc from './service';
import { ensureSupplierUser, DEMO_PASSWORD } from '../tendering/demo-users';
import { passphraseKey } from '../tendering/seed';
import { randomHex } from '../../../client/src/views/tendering/sealing';
import { sealResponse } from '../../../client/src/views/framework/sealing';
import type { OrderMode, EvaluationMethod } from './rules';

const DAY = 86_400_000;
const YUAN = 100;

class StoryClock implements Clock {
  t = 0;
  now() {
    return new Date(this.t);
  }
}

interface Responder {
  supplierId: number;
  brand: string;
  model: string;
}

export async function seedFramework(ctx: ModuleContext, deps: svc.FrameworkDeps): Promise<void> {
  const { db } = ctx;
  if (await db('framework_agreements').first('id')) return;
  const c = new StoryClock();
  const realNow = ctx.clock.now().getTime();
  const jobs = new Scheduler({ db, clock: c, log: createLogger('silent') });
  defineWorkflowJobs(jobs, { db, clock: c, secret: ctx.config.secrets.financeHmacSecret });
  // The story's jobs run on the story's scheduler, the key window's close too.
  const story: svc.FrameworkDeps = { ...deps, scheduler: jobs };
  jobs.define<{ agreementId: number }>(svc.OPEN_JOB, (j) => svc.openJob(story, systemActor(svc.OPEN_JOB, c), j.payload.agreementId));
  jobs.define<{ agreementId: number }>(svc.CLOSE_KEYS_JOB, (j) => svc.closeKeysJob(story, systemActor(svc.CLOSE_KEYS_JOB, c), j.payload.agreementId));
  const cal = await loadCalendar(db);
  const run = async (t: number) => {
    c.t = Math.min(t, realNow);
    await jobs.runDue(500);
  };
  const tx = <T>(fn: (tx: Tx) => Promise<T>) => withTx(db, fn);
  const day = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);

  // People: the centre's operator, the units' purchasers and approvers, supplier accounts.
  const users = new Map<string, { id: number; orgId: number | null; supplierId: number | null; roles: string[] }>();
  for (const u of await db('users as u').join('user_roles as r', 'r.user_id', 'u.id').select('u.id', 'u.username', 'u.org_id', 'u.supplier_id', 'r.role')) {
    const e = users.get(u.username) ?? { id: u.id, orgId: u.org_id, supplierId: u.supplier_id, roles: [] as string[] };
    e.roles.push(u.role);
    users.set(u.username, e);
  }
  const actorOf = (username: string): Actor => ({ userId: users.get(username)!.id, role: users.get(username)!.roles[0], requestId: null, ip: null, clock: c });
  const supplierActor = (supplierId: number): Actor => {
    const u = [...users.values()].find((x) => x.supplierId === supplierId);
    return { userId: u?.id ?? null, role: 'supplier', requestId: null, ip: null, clock: c };
  };
  const operator = 'operator';
  const demoSupplierId = users.get('supplier')?.supplierId ?? null;

  /** Approved suppliers with a registered brand in the category, one per brand, the demo supplier first. */
  async function respondersFor(categoryCode: string, n: number): Promise<Responder[]> {
    const rows = await db('supplier_brands as b')
      .join('suppliers as s', 's.id', 'b.supplier_id')
      .join('supplier_categories as sc', function () {
        this.on('sc.supplier_id', '=', 'b.supplier_id').andOn('sc.category_code', '=', 'b.category_code');
      })
      .where({ 's.status': 'approved', 'b.category_code': categoryCode })
      .whereNotIn('s.id', db('supplier_blacklist').select('supplier_id'))
      .orderBy('s.id')
      .select('s.id as supplier_id', 'b.brand', 'b.model');
    const out: Responder[] = [];
    // One response per supplier; distinct brands first (resellers of a brand come after).
    for (const r of rows) if (!out.some((x) => x.supplierId === Number(r.supplier_id))) out.push({ supplierId: Number(r.supplier_id), brand: r.brand, model: r.model });
    const first = new Set(out.filter((r, i) => out.findIndex((x) => x.brand === r.brand) === i));
    out.sort((a, b) => Number(b.supplierId === demoSupplierId) - Number(a.supplierId === demoSupplierId) || Number(first.has(b)) - Number(first.has(a)));
    // Each responder has an account to sign with (and to log in as in the demo).
    for (const r of out.slice(0, n)) {
      if ([...users.values()].some((u) => u.supplierId === r.supplierId)) continue;
      const userId = await tx((t) => ensureSupplierUser(t, c, r.supplierId));
      users.set(`supplier#${r.supplierId}`, { id: userId, orgId: null, supplierId: r.supplierId, roles: ['supplier'] });
    }
    return out.slice(0, n);
  }

  /** A call for entry drafted and, unless `draftOnly`, published with a 21-day response period. */
  async function call(title: string, categoryCode: string, unit: string, maxYuan: number, method: EvaluationMethod, modes: OrderMode[], draftOnly = false) {
    const deadline = c.t + 21 * DAY;
    const termStart = day(deadline + DAY);
    const termEnd = day(Date.parse(`${termStart}T00:00:00+08:00`) + 364 * DAY);
    const id = await tx((t) =>
      svc.createCall(t, actorOf(operator), {
        title,
        categoryCode,
        evaluationMethod: method,
        entryConditions: '具有独立承担民事责任的能力；近三年无重大违法记录；在本市设有售后服务网点，提供三年上门保修。',
        secondStageModes: modes,
        termStart,
        termEnd,
        items: [{ categoryCode, name: title, specification: `${title}，符合国家标准，含三年质保`, unit, maxPriceFen: maxYuan * YUAN }],
      }),
    );
    if (!draftOnly) await tx((t) => svc.publishCall(t, actorOf(operator), jobs, id, { responseDeadline: new Date(deadline).toISOString() }));
    return { id, deadline };
  }
  // Each response sealed as the browser seals it: the demo supplier's with the demo passphrase (so
  // that account can open its own at a demo opening), the others' with random keys the story keeps.
  const keys = new Map<string, string>();
  async function respond(id: number, who: Responder[], prices: number[]) {
    const item = await db('framework_agreement_items').where({ agreement_id: id }).first('id');
    for (const [i, r] of who.entries()) {
      const sealed = sealResponse({ agreementId: id, supplierId: r.supplierId, statement: '我方响应征集公告的全部条件，承诺按入围价格供货。', items: [{ itemId: item.id, unitPriceFen: prices[i] * YUAN, brand: r.brand, model: r.model }] }, r.supplierId === demoSupplierId ? passphraseKey(DEMO_PASSWORD) : { keyHex: randomHex(32) });
      keys.set(`${id}:${r.supplierId}`, sealed.keyHex);
      await tx((t) => svc.submitResponse(t, supplierActor(r.supplierId), r.supplierId, id, { envelope: sealed.envelope, digest: sealed.digest }));
    }
  }
  /** In the key window every responder hands in its key; the last one closes the window. */
  async function handInKeys(id: number) {
    for (const r of await db('framework_responses').where({ agreement_id: id, status: 'sealed' })) await svc.submitResponseKey(story, supplierActor(r.supplier_id), r.supplier_id, id, keys.get(`${id}:${r.supplier_id}`)!);
  }

  // ---- an agreement in force (tablets, price priority, every ordering mode) and its orders ----
  const tablets = await respondersFor('A02010108', 5);
  if (tablets.length < 4) return; // a city without the suppliers for it (a small test city)
  await run(realNow - 75 * DAY);
  const inForce = await call('平板式微型计算机', 'A02010108', '台', 3600, 'price_priority', ['direct', 'competition', 'rotation']);
  await respond(inForce.id, tablets, [3150, 3080, 3290, 3380, 3420].slice(0, tablets.length));
  await run(inForce.deadline + 60_000); // the opening job
    await handInKeys(inForce.id);
  await tx((t) => svc.evaluate(t, actorOf(operator), inForce.id, {}));
  for (const e of await db('framework_entries').where({ agreement_id: inForce.id })) await tx((t) => svc.signEntry(t, supplierActor(e.supplier_id), e.supplier_id, inForce.id));
  await run(inForce.deadline + 2 * DAY); // the term has started

  async function lineFor(orgId: number, needFen: number): Promise<number> {
    const line = await db('budget_lines').where({ org_id: orgId }).orderBy('allocated_fen', 'desc').first();
    const m = await tx((t) => lineMoney(t, line.id));
    if (m.availableFen < needFen) await tx((t) => allocate(t, systemActor('finance-api', c), { code: line.code, orgId: line.org_id, fiscalYear: line.fiscal_year, name: line.name, economicClass: line.economic_class, allocatedFen: m.allocatedFen + needFen - m.availableFen + 100_000 * YUAN }));
    return line.id;
  }
  /** A requisition raised and approved through the unit's chain; returns its project. */
  async function approvedOrder(username: string, title: string, items: ItemInput[]): Promise<number> {
    const u = users.get(username)!;
    const budgetLineId = await lineFor(u.orgId!, items.reduce((s, i) => s + i.quantity * i.unitPriceFen, 0));
    const reqId = await tx(async (t) => {
      const id = await req.createDraft(t, actorOf(username), { userId: u.id, orgId: u.orgId }, { title, budgetLineId, neededBy: day(c.t + 90 * DAY), justification: `${title}：满足日常办公和教学需要。`, items, singleSourceReason: null });
      await req.submit(t, actorOf(username), { userId: u.id, orgId: u.orgId }, id);
      return id;
    });
    for (;;) {
      const step = await db('approval_steps').where({ requisition_id: reqId, status: 'pending' }).first();
      if (!step) break;
      const name = [...users.entries()].find(([, x]) => x.orgId === step.approver_org_id && x.roles.includes(step.approver_role))![0];
      const a = users.get(name)!;
      await tx((t) => decide(t, actorOf(name), { userId: a.id, orgId: a.orgId, roles: a.roles }, step.id, { decision: 'approve', comment: '同意' }));
    }
    return (await db('procurement_projects').where({ requisition_id: reqId }).first('id')).id;
  }
  const sessionOf = (username: string): SessionUser => {
    const u = users.get(username)!;
    return { id: u.id, username, roles: u.roles, orgId: u.orgId, supplierId: u.supplierId } as unknown as SessionUser;
  };
  const tabletItem = (n: number): ItemInput => ({ categoryCode: 'A02010108', name: '平板式微型计算机', specification: '11 英寸，8G/256G，含三年质保', quantity: n, unit: '台', unitPriceFen: 3500 * YUAN });
  const afterWorkingDays = (n: number) => cal.addWorkingDays(new Date(c.t), n).getTime() + 3_600_000;
  const signAndAccept = async (projectId: number, purchaser: string, accept: boolean) => {
    const p = await db('procurement_projects').where({ id: projectId }).first();
    const u = users.get(purchaser)!;
    const party = { userId: u.id, orgId: u.orgId, supplierId: null };
    const contractId = await tx((t) => con.createContract(t, actorOf(purchaser), party, { projectId, terms: '按框架协议约定的价格、质量和服务条款执行。' }));
    await tx((t) => con.signContract(t, actorOf(purchaser), party, contractId));
    const s = supplierActor(p.awarded_supplier_id);
    await tx((t) => con.signContract(t, s, { userId: s.userId!, orgId: null, supplierId: p.awarded_supplier_id }, contractId));
    if (accept) await tx((t) => con.acceptDelivery(t, actorOf(purchaser), party, contractId, { note: '到货验收合格。' }));
  };

  // A direct selection, with its reason, accepted and waiting for the treasury's payment.
  if (users.has('purchaser')) {
    const p1 = await approvedOrder('purchaser', '教研室平板电脑（框架协议）', [tabletItem(8)]);
    const second = (await db('framework_entries').where({ agreement_id: inForce.id, rank: 2 }).first('supplier_id')).supplier_id;
    await svc.placeOrder({ ...deps, scheduler: jobs }, actorOf('purchaser'), sessionOf('purchaser'), { projectId: p1, mode: 'direct', supplierId: second, reason: '该供应商售后网点距本单位最近，响应时间最短。' });
    await run(afterWorkingDays(2));
    await signAndAccept(p1, 'purchaser', true);
  }
  // A rotation order, in its contract stage (the demo purchaser's: purchaser2 is the demo's account with nothing to do).
  if (users.has('purchaser')) {
    await run(c.t + 3 * DAY);
    const p2 = await approvedOrder('purchaser', '图书馆平板电脑（框架协议）', [tabletItem(12)]);
    await svc.placeOrder({ ...deps, scheduler: jobs }, actorOf('purchaser'), sessionOf('purchaser'), { projectId: p2, mode: 'rotation' });
    await run(afterWorkingDays(2));
  }

  // ---- first-stage states ----
  // Waiting for signatures (the demo supplier among the entries, not yet signed).
  const desktops = await respondersFor('A02010104', 4);
  if (desktops.length >= 3) {
    await run(realNow - 30 * DAY);
    const w = await call('台式计算机', 'A02010104', '台', 5600, 'price_priority', ['direct', 'rotation']);
    await respond(w.id, desktops, [4980, 5120, 5060, 5350].slice(0, desktops.length));
    await run(w.deadline + 60_000);
    await handInKeys(w.id);
    await tx((t) => svc.evaluate(t, actorOf(operator), w.id, {}));
    const unsigned = await db('framework_entries').where({ agreement_id: w.id }).orderBy('rank', 'desc');
    for (const e of unsigned.slice(0, -1)) if (e.supplier_id !== demoSupplierId) await tx((t) => svc.signEntry(t, supplierActor(e.supplier_id), e.supplier_id, w.id));
  }
  // Opened, waiting for the quality evaluation.
  const laptops = await respondersFor('A02010105', 4);
  if (laptops.length >= 3) {
    await run(realNow - 23 * DAY);
    const q = await call('便携式计算机', 'A02010105', '台', 7200, 'quality_priority', ['direct', 'competition']);
    await respond(q.id, laptops, [6650, 6800, 6720, 6900].slice(0, laptops.length));
    await run(q.deadline + 60_000);
    await handInKeys(q.id);
  }
  // A failed call: one responder at the deadline.
  const servers = await respondersFor('A02010201', 1);
  if (servers.length) {
    await run(realNow - 26 * DAY);
    const f = await call('服务器', 'A02010201', '台', 48_000, 'price_priority', ['direct']);
    await respond(f.id, servers, [45_000]);
    await run(f.deadline + 60_000);
  }
  // Taking sealed responses now (the real scheduler opens them at the deadline), and a draft.
  const switches = await respondersFor('A02010302', 2);
  await run(realNow - 4 * DAY);
  const open = await call('交换机', 'A02010302', '台', 9800, 'price_priority', ['direct', 'competition', 'rotation']);
  if (switches.length) await respond(open.id, switches, [9200, 9350].slice(0, switches.length));
  await run(realNow - DAY);
  await call('多功能一体机', 'A02021003', '台', 12_000, 'price_priority', ['direct'], true);

  // A second competition within the agreement in force, announced on the live engine for later today.
  if (users.has('purchaser')) {
    await run(realNow);
    const p3 = await approvedOrder('purchaser', '考试中心平板电脑（框架协议二次竞价）', [tabletItem(30)]);
    const real: Actor = { ...actorOf('purchaser'), clock: ctx.clock };
    await svc.placeOrder(deps, real, sessionOf('purchaser'), { projectId: p3, mode: 'competition', competition: { startsAt: new Date(realNow + 3 * 3_600_000).toISOString(), durationSec: 1800, decrementKind: 'absolute', decrementValue: 200 * YUAN } });
  }
}
