// Demo data for the workflow, created through the services on a story clock: each story starts
// some days ago and moves forward, the deadline jobs run when the story's time passes them, and
// whatever is still in the future is left to the real scheduler. Every state appears: drafts,
// each approval step, returned, rejected, cancelled, an overdue step, a suspected split, projects
// of every method in their stages (failed too), contracts, acceptance, payment requests paid and open.
import type { ModuleContext } from '../../platform';
import { withTx, type Tx } from '../../db/tx';
import { toDbTime, type Clock } from '../../db/time';
import { systemActor, type Actor, type Role } from '../../http/actor';
import { hashPassword } from '../../http/auth/passwords';
import { createLogger } from '../../http/log';
import { Scheduler } from '../../scheduler/scheduler';
import { record } from '../../supervision/audit/audit';
import * as req from '../requisitions/service';
import { decide } from '../approvals/service';
import { setChain, DEFAULT_CHAIN } from '../approvals/chain';
import * as proj from '../projects/service';
import * as con from '../contracts/service';
import { fileChallenge, replyChallenge } from '../projects/challenges';
import { AttachmentStore, addAttachment } from '../requisitions/attachments';
import { allocate, lineMoney } from '../budget/service';
import { defineWorkflowJobs } from './module';
import { loadCalendar } from '../rules/calendar';
import { loadRuleBook, rule } from '../rules/rule-book';
import type { ItemInput } from '../requisitions/rules';
import type { RequestableMethod } from '../methods/rules';
import { createInvitationService, SUPPLIER_REVEAL_JOB } from '../../execution/invitations/service';
// The demo projects reach their awards through the execution wing, as live ones do: a public
// tender through a real tender (sealed bids, opening, committee, evaluation, award) and an online
// price competition through a real competition, run on this story's clock.
import type { TenderingDeps } from '../../execution/tendering/deps';
import { JOB_OPEN as TENDER_OPEN_JOB, JOB_CLOSE_DECRYPTION } from '../../execution/tendering/deps';
import { TEMPLATES } from '../../execution/tendering/templates';
import type { CategoryKind } from '../../execution/tendering/rules';
import { committeeSizeFor } from '../../execution/tendering/rules';
import * as tenderDocs from '../../execution/tendering/documents/service';
import * as tenderBids from '../../execution/tendering/bids/service';
import { startOpening, closeOpening, submitKey } from '../../execution/tendering/opening/service';
import * as evaluation from '../../execution/tendering/evaluation/service';
import { linkCommittee } from '../../execution/tendering/evaluation/committee';
import { awardTender } from '../../execution/tendering/award/service';
import { ensureExpertUser, ensureSupplierUser } from '../../execution/tendering/demo-users';
import { sealBid, randomHex } from '../../../client/src/views/tendering/sealing';
import { AuctionService, OPEN_JOB as AUCTION_OPEN_JOB } from '../../execution/auctions/service';
import { CLOSE_JOB as AUCTION_CLOSE_JOB } from '../../execution/auctions/engine';
import { biddersFor, sessionUser } from '../../execution/auctions/seed';
import type { Client } from '../../realtime/hub';
import type { HealthMonitor } from '../../health/monitor';

const DAY = 86400_000;
const YUAN = 100;

/** Extra demo accounts for the approval chains of the demo units (password Sunshine@2026). */
export const WORKFLOW_DEMO_ACCOUNTS: Array<{ username: string; role: Role; displayName: string; orgCode: string }> = [
  { username: 'purchaser2', role: 'purchaser', displayName: '钱采购', orgCode: 'PU02' },
  { username: 'approver2', role: 'approver', displayName: '吴校长', orgCode: 'PU02' },
  { username: 'purchaser4', role: 'purchaser', displayName: '郑采购', orgCode: 'PU04' },
  { username: 'approver4', role: 'approver', displayName: '冯主任', orgCode: 'PU04' },
];

class StoryClock implements Clock {
  t = 0;
  now() {
    return new Date(this.t);
  }
}

export async function seedWorkflowDemo(ctx: ModuleContext): Promise<void> {
  const c = new StoryClock();
  const jobs = new Scheduler({ db: ctx.db, clock: c, log: createLogger('silent') });
  // The competitions of the story run on its clock and its scheduler; not watched by the live
  // health monitor (the live service reports the bids).
  const auctions = new AuctionService({ ...ctx, clock: c, scheduler: jobs, health: undefined as unknown as HealthMonitor });
  try {
    await tellStories(ctx, c, jobs, auctions);
  } finally {
    await auctions.stop();
  }
}

async function tellStories(ctx: ModuleContext, c: StoryClock, jobs: Scheduler, auctions: AuctionService): Promise<void> {
  const { db, config } = ctx;
  const realNow = ctx.clock.now().getTime();
  defineWorkflowJobs(jobs, { db, clock: c, secret: config.secrets.financeHmacSecret });
  const tendering: TenderingDeps = { db, clock: c, scheduler: jobs, realtime: ctx.realtime, log: ctx.log, config };
  jobs.define<{ tenderId: number }>(TENDER_OPEN_JOB, (j) => startOpening(tendering, j.payload.tenderId));
  jobs.define<{ tenderId: number }>(JOB_CLOSE_DECRYPTION, (j) => closeOpening(tendering, j.payload.tenderId));
  // Invitational tenders' supplier draws are revealed by the story's scheduler when their bids close.
  const invitations = createInvitationService({ sealKey: config.secrets.sealKey, scheduler: jobs, clock: c, realtime: ctx.realtime });
  jobs.define<{ drawId: number }>(SUPPLIER_REVEAL_JOB, (j) => invitations.reveal(db, j.payload.drawId).then(() => undefined));
  jobs.define<{ auctionId: number }>(AUCTION_OPEN_JOB, (j) => auctions.openOrFail(j.payload.auctionId));
  jobs.define<{ auctionId: number }>(AUCTION_CLOSE_JOB, (j) => auctions.close(j.payload.auctionId));
  const orgRows = await db('organisations').select('code', 'id', 'name_zh');
  const orgs = new Map<string, number>(orgRows.map((o: any) => [o.code, o.id]));
  // The unit's name as the city stores it (one spelling), shown beside the person's.
  const orgNameZh = new Map<string, string>(orgRows.map((o: any) => [o.code, o.name_zh]));
  const seedActor = systemActor('seed', c);
  const store = AttachmentStore.forDataDir(config.dataDir);

  // Accounts for the other demo units' approval chains.
  const hash = await hashPassword('Sunshine@2026');
  c.t = realNow - 90 * DAY;
  await withTx(db, async (tx) => {
    for (const a of WORKFLOW_DEMO_ACCOUNTS) {
      if (await tx('users').where({ username: a.username }).first('id')) continue;
      const [id] = await tx('users').insert({ username: a.username, display_name: `${a.displayName}（${orgNameZh.get(a.orgCode)}）`, password_hash: hash, org_id: orgs.get(a.orgCode), status: 'active', is_demo: true, locale: 'zh-CN', time_zone: 'Asia/Shanghai', created_at: toDbTime(c.now()) });
      await tx('user_roles').insert({ user_id: Number(id), role: a.role });
      await record(tx, seedActor, { action: 'user.created', entityType: 'user', entityId: Number(id), after: { username: a.username, roles: [a.role] } });
    }
    // The health commission runs a shorter chain: unit head, then the procurement centre.
    await setChain(tx, seedActor, orgs.get('PU04')!, [DEFAULT_CHAIN[0], DEFAULT_CHAIN[2]]);
  });
  const users = new Map<string, { id: number; orgId: number | null; supplierId: number | null; roles: string[] }>();
  for (const u of await db('users as u').join('user_roles as r', 'r.user_id', 'u.id').select('u.id', 'u.username', 'u.org_id', 'u.supplier_id', 'r.role')) {
    const e = users.get(u.username) ?? { id: u.id, orgId: u.org_id, supplierId: u.supplier_id, roles: [] as string[] };
    e.roles.push(u.role);
    users.set(u.username, e);
  }
  // Winners and bidders are approved suppliers registered for the category they sell, never
  // blacklisted (at any story time): a medical-device firm does not win a property contract.
  const registered = async (categoryCode: string): Promise<number[]> => {
    const ids = (
      await db('supplier_categories as sc')
        .join('suppliers as s', 's.id', 'sc.supplier_id')
        .where({ 'sc.category_code': categoryCode, 's.status': 'approved' })
        .whereNotIn('s.id', db('supplier_blacklist').select('supplier_id'))
        .orderBy('s.id')
        .select('s.id')
    ).map((r: any) => Number(r.id));
    if (!ids.length) throw new Error(`no approved supplier is registered for ${categoryCode}`);
    return ids;
  };
  /** The n-th supplier of a category (wrapping round). */
  const supplierFor = async (categoryCode: string, n: number) => {
    const ids = await registered(categoryCode);
    return ids[n % ids.length];
  };

  const actorOf = (username: string): Actor => ({ userId: users.get(username)!.id, role: users.get(username)!.roles[0], requestId: null, ip: null, clock: c });
  const tx = <T>(fn: (tx: Tx) => Promise<T>) => withTx(db, fn);
  // Story time follows the city's calendar and rule book, so the demo works on any start date:
  // a story that needs n working days starts far enough back to have them even across Spring
  // Festival or National Day, and every deadline is the legal minimum (working days where the
  // rule counts working days) plus a margin, never a fixed count of calendar days.
  const cal = await loadCalendar(db);
  const book = await loadRuleBook(db);
  const addWd = (t: number, n: number) => cal.addWorkingDays(new Date(t), n).getTime();
  /**
   * A story starts `daysAgo` calendar days back, or further when holidays in between leave fewer
   * working days than that many calendar days usually hold (5 in 7).
   */
  const at = async (daysAgo: number) => {
    c.t = Math.min(realNow - daysAgo * DAY, cal.subtractWorkingDays(new Date(realNow), Math.ceil((daysAgo * 5) / 7)).getTime());
    await jobs.runDue(500);
  };
  const later = async (days: number) => {
    c.t = Math.min(realNow, c.t + days * DAY);
    await jobs.runDue(500);
  };
  /** A public tender's bid deadline for documents issued one day after the notice: both legal minimums, plus a margin. */
  const tenderDeadline = (notAfterNowWd = 0) => {
    const issue = c.t + DAY;
    const legal = Math.max(issue + rule(book, 'tenderBiddingPeriodDays') * DAY, addWd(issue, rule(book, 'tenderDocumentsAvailableWorkingDays'))) + DAY;
    return new Date(notAfterNowWd ? Math.max(legal, addWd(realNow, notAfterNowWd)) : legal).toISOString();
  };
  /** An inquiry or negotiation response deadline: the legal working days plus `extraWd`, at least `afterNowWd` after now. */
  const responseDeadline = (method: 'inquiry' | 'competitive_negotiation', extraWd: number, afterNowWd = 0) => {
    const wd = rule(book, method === 'inquiry' ? 'inquiryResponsePeriodWorkingDays' : 'negotiationResponsePeriodWorkingDays');
    const legal = addWd(c.t, wd + extraWd) + 3600_000;
    return new Date(afterNowWd ? Math.max(legal, addWd(realNow, afterNowWd)) : legal).toISOString();
  };

  // The finance bureau tops a line up when a story needs more than the random city allocated.
  async function lineFor(orgCode: string, needFen: number): Promise<number> {
    const line = await db('budget_lines').where({ org_id: orgs.get(orgCode) }).orderBy('allocated_fen', 'desc').first();
    const m = await tx((t) => lineMoney(t, line.id));
    if (m.availableFen < needFen) {
      await tx((t) => allocate(t, systemActor('finance-api', c), { code: line.code, orgId: line.org_id, fiscalYear: line.fiscal_year, name: line.name, economicClass: line.economic_class, allocatedFen: m.allocatedFen + needFen - m.availableFen + 500_000 * YUAN }));
    }
    return line.id;
  }

  const item = (categoryCode: string, name: string, quantity: number, unitYuan: number, unit = '台'): ItemInput => ({ categoryCode, name, specification: `${name}，符合国家标准，含三年质保`, quantity, unit, unitPriceFen: unitYuan * YUAN });
  async function raise(username: string, title: string, items: ItemInput[], opts: { submit?: boolean; singleSourceReason?: string; requestedMethod?: RequestableMethod; methodRequestReason?: string } = {}): Promise<number> {
    const u = users.get(username)!;
    const orgCode = [...orgs.entries()].find(([, id]) => id === u.orgId)![0];
    const total = items.reduce((s, i) => s + i.quantity * i.unitPriceFen, 0);
    const budgetLineId = await lineFor(orgCode, total);
    const neededBy = new Date(c.t + 120 * DAY).toISOString().slice(0, 10);
    return tx(async (t) => {
      const id = await req.createDraft(t, actorOf(username), { userId: u.id, orgId: u.orgId }, { title, budgetLineId, neededBy, justification: `${title}：现有设备老化，无法满足工作需要。`, items, singleSourceReason: opts.singleSourceReason ?? null, requestedMethod: opts.requestedMethod ?? null, methodRequestReason: opts.methodRequestReason ?? null });
      // A needs assessment as a real attached file.
      const text = Buffer.from(`${title}\n需求论证报告\n\n一、现状\n现有设备已使用多年，故障率高。\n二、需求\n${items.map((i) => `${i.name} ${i.quantity}${i.unit}`).join('；')}\n`, 'utf8');
      await addAttachment(t, actorOf(username), { orgId: u.orgId }, id, { name: '需求论证报告.txt', contentType: 'text/plain', size: text.length, sha256: store.save(text) });
      if (opts.submit !== false) await req.submit(t, actorOf(username), { userId: u.id, orgId: u.orgId }, id);
      return id;
    });
  }
  async function decideNext(reqId: number, decision: 'approve' | 'reject' | 'return' = 'approve', comment?: string) {
    const step = await db('approval_steps').where({ requisition_id: reqId, status: 'pending' }).first();
    const username = [...users.entries()].find(([, u]) => u.orgId === step.approver_org_id && u.roles.includes(step.approver_role))![0];
    const u = users.get(username)!;
    return tx((t) => decide(t, actorOf(username), { userId: u.id, orgId: u.orgId, roles: u.roles }, step.id, { decision, comment: comment ?? (decision === 'approve' ? '同意' : undefined) }));
  }
  async function approved(username: string, title: string, items: ItemInput[], opts: { singleSourceReason?: string; requestedMethod?: RequestableMethod; methodRequestReason?: string } = {}): Promise<number> {
    const id = await raise(username, title, items, opts);
    let r;
    do {
      await later(0.2);
      r = await decideNext(id);
    } while (!r.projectId);
    return r.projectId;
  }
  /** Lets story time pass, a day at a time, until the deadline jobs have moved the project on. */
  async function until(pid: number, stage: string) {
    for (let i = 0; i < 120 && (await proj.loadProject(db, pid)).stage !== stage; i++) {
      if (c.t >= realNow) break;
      await later(1);
    }
    const p = await proj.loadProject(db, pid);
    if (p.stage !== stage) throw new Error(`demo project ${p.ref} is in stage ${p.stage}, not ${stage}, by ${new Date(c.t).toISOString()}`);
  }
  const op = actorOf('operator');
  const demoSupplier = users.get('supplier')!.supplierId!;
  const run = (fn: (t: Tx) => Promise<unknown>) => tx(fn);
  const projectFacts = async (pid: number): Promise<{ title: string; method: string; budgetFen: number; org_id: number; categoryCode: string; kind: CategoryKind; item: { name: string; quantity: number; unit: string } }> => {
    const p = await db('procurement_projects as p').join('requisitions as r', 'r.id', 'p.requisition_id').join('catalogue_categories as k', 'k.code', 'r.category_code').where('p.id', pid).first('p.title', 'p.method', 'p.budget_fen', 'p.org_id', 'r.category_code', 'r.id as requisition_id', 'k.kind');
    const first = await db('requisition_items').where({ requisition_id: p.requisition_id }).orderBy('line_no').first('name', 'quantity', 'unit');
    return { title: p.title, method: p.method, org_id: Number(p.org_id), budgetFen: Number(p.budget_fen), categoryCode: p.category_code, kind: p.kind, item: { name: first.name, quantity: Number(first.quantity), unit: first.unit } };
  };
  /** Story time moves to `t` (not past now), a day at a time, running the jobs that fall due. */
  async function moveTo(t: number) {
    if (t > realNow) throw new Error(`a demo story needs time after now (${new Date(t).toISOString()})`);
    while (c.t < t) {
      c.t = Math.min(t, c.t + DAY);
      await jobs.runDue(500);
    }
  }

  /**
   * A real tender for a public-tender project: published from the project, sealed bids from
   * suppliers registered for its category, the opening (the bidders hand in their keys), a
   * committee of experts in that category scores, confirms the report, and the purchaser awards
   * the first-ranked bid. `bidders[0]` offers `prices[0]` and is scored best, so it wins. With
   * fewer bids than the law's minimum the tender (and the project) fails at the opening.
   */
  async function throughTender(pid: number, purchaser: string, bidders: number[], prices: number[]): Promise<void> {
    const p = await projectFacts(pid);
    const tpl = TEMPLATES[p.kind];
    const deadline = Date.parse(tenderDeadline());
    const unit = orgRows.find((o: any) => o.id === p.org_id)!.name_zh;
    const tender = await tenderDocs.createTender(tendering, op, {
      title: p.title, kind: p.kind, categoryCode: p.categoryCode, projectId: pid, budgetFen: p.budgetFen,
      method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, decryptionMinutes: 30,
      description: `${p.title}。采购人：${unit}。资金来源：财政预算资金。`,
      requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria,
      bidDeadline: new Date(deadline).toISOString(), openingAt: new Date(deadline).toISOString(),
    });
    await later(0.1);
    await tenderDocs.publishTender(tendering, op, tender.id);
    const keys: string[] = [];
    const accounts: number[] = [];
    for (const [i, supplierId] of bidders.entries()) {
      await later(1 + i * 0.3);
      const userId = await tx((t) => ensureSupplierUser(t, c, supplierId));
      accounts.push(userId);
      const responses = Object.fromEntries(tpl.requirements.map((r) => [r.key, `完全响应：${r.text.split(' (')[0]}，详见投标文件第${i + 2}章。`]));
      const attachments = [{ name: '报价明细表.csv', type: 'text/csv', dataBase64: Buffer.from(`item,yuan\n${p.title},${prices[i]}\n`).toString('base64') }];
      const sealed = sealBid({ tenderId: tender.id, supplierId, priceFen: prices[i] * YUAN, responses, attachments }, { keyHex: randomHex(32) });
      keys.push(sealed.keyHex);
      await tenderBids.submitBid(tendering, { userId, role: 'supplier', requestId: null, ip: `192.0.2.${100 + (supplierId % 100)}`, clock: c }, supplierId, tender.id, { envelope: sealed.envelope, digest: sealed.digest });
    }
    await moveTo(deadline); // the opening job starts the session (or fails a tender with too few bids)
    if ((await db('tenders').where({ id: tender.id }).first('status')).status !== 'opening') return;
    for (const [i, supplierId] of bidders.entries()) {
      c.t += 3 * 60_000;
      await submitKey(tendering, { userId: accounts[i], role: 'supplier', requestId: null, ip: `192.0.2.${100 + (supplierId % 100)}`, clock: c }, supplierId, tender.id, keys[i]);
    }
    // A committee of experts in the category, free of ties to the bidders and the unit.
    c.t += 3600_000;
    const size = committeeSizeFor(p.budgetFen);
    const experts = (
      await db('experts as e')
        .join('expert_specialties as s', 's.expert_id', 'e.id')
        .where({ 's.category_code': p.categoryCode, 'e.status': 'active' })
        .where((q) => q.whereNull('e.employer_org_id').orWhereNot('e.employer_org_id', p.org_id))
        .where((q) => q.whereNull('e.employer_supplier_id').orWhereNotIn('e.employer_supplier_id', bidders))
        .whereNotIn('e.id', db('expert_conflicts').whereNull('withdrawn_at').whereIn('supplier_id', bidders).select('expert_id'))
        .orderBy('e.id')
        .limit(size)
        .select('e.id')
    ).map((r: any) => Number(r.id));
    if (experts.length < size) throw new Error(`too few experts in ${p.categoryCode} for a committee of ${size}`);
    const members: Array<{ expertId: number; userId: number }> = [];
    for (const expertId of experts) members.push({ expertId, userId: await tx((t) => ensureExpertUser(t, c, expertId)) });
    await tx((t) => linkCommittee(tendering, t, op, tender.id, members.map((m, i) => ({ expertId: m.expertId, chair: i === 0 })), { source: 'direct', sourceRef: `demo-${tender.reference}` }));
    const view = await evaluation.evaluationView(tendering, tender.id, null);
    const tech = view.criteria.filter((k) => k.kind !== 'price');
    for (const [e, m] of members.entries()) {
      const expert: Actor = { userId: m.userId, role: 'expert', requestId: null, ip: null, clock: c };
      for (const [i, bid] of view.bids.entries()) {
        c.t += 4 * 60_000;
        await evaluation.viewBid(tendering, expert, m.expertId, tender.id, bid.bidId);
        const share = bid.supplierId === bidders[0] ? 0.92 : 0.7 + 0.04 * ((e + i) % 4);
        const scores = Object.fromEntries(tech.map((k) => [k.key, Math.round(k.weight * share * 10) / 10]));
        await evaluation.saveScores(tendering, expert, m.expertId, tender.id, bid.bidId, { compliance: Object.fromEntries(view.qualifications.map((q) => [q.key, true])), scores });
      }
      await evaluation.submitScores(tendering, expert, m.expertId, tender.id);
    }
    const report = (await evaluation.evaluationView(tendering, tender.id, null)).report!;
    for (const m of members) {
      c.t += 5 * 60_000;
      await evaluation.confirmReport(tendering, { userId: m.userId, role: 'expert', requestId: null, ip: null, clock: c }, m.expertId, tender.id, report.sha256!);
    }
    await later(1);
    await awardTender(tendering, actorOf(purchaser), tender.id, {});
  }

  /**
   * A real online price competition for the project: announced from it, joined by suppliers
   * registered for its category with their brands, bid down in the story's time; at the close
   * the lowest bid becomes the project's award.
   */
  async function throughCompetition(pid: number): Promise<void> {
    const p = await projectFacts(pid);
    const operator = (await sessionUser(ctx, 'operator'))!;
    const bidders = (await biddersFor({ ...ctx, clock: c }, await sessionUser(ctx, 'supplier'))).get(p.categoryCode)?.slice(0, 4) ?? [];
    if (bidders.length < 3) throw new Error(`too few suppliers of distinct brands in ${p.categoryCode} for a competition`);
    const decrement = Math.max(100, Math.floor(p.budgetFen / 500));
    const a = await auctions.create(op, operator, {
      title: `${p.title}（网上竞价）`, lotDescription: p.item.name, quantity: p.item.quantity, unit: p.item.unit, categoryCode: p.categoryCode,
      projectId: pid, orgId: null, ceilingFen: p.budgetFen, decrementKind: 'absolute', decrementValue: decrement,
      durationSec: 1800, extensionSec: 120, maxExtensionSec: 1800, visibility: 'best_price', minSuppliers: 3, minBrands: 3,
      startsAt: new Date(c.t + 2 * 3600_000).toISOString(),
    });
    c.t += 30 * 60_000;
    for (const b of bidders) await auctions.join({ userId: b.user.id, role: 'supplier', requestId: null, ip: b.ip, clock: c }, b.user, a.id, { brand: b.brand, model: b.model, deviceId: `demo-device-${b.supplierId}` });
    await moveTo(a.startsAt.getTime()); // the opening job opens it
    let price = p.budgetFen;
    for (let n = 0; n < 9; n++) {
      c.t = a.startsAt.getTime() + (n + 1) * 2 * 60_000;
      price -= decrement * (1 + (n % 3));
      const b = bidders[n % bidders.length];
      const answer = await auctions.bid({ user: b.user, ip: b.ip } as Client, { type: 'bid', auctionId: a.id, amount: price, clientBidId: `demo-${a.id}-${n}` });
      if (answer.type !== 'bid.accepted') throw new Error(`demo bid refused: ${(answer as { code?: string }).code}`);
    }
    await moveTo(a.startsAt.getTime() + 1800_000 + 1000); // the closing job: the lowest bid is the award
  }

  /** Bidders for a tender: the winner first, then other suppliers of the category. */
  const tenderBidders = async (categoryCode: string, winner: number, n: number) => [winner, ...(await registered(categoryCode)).filter((id) => id !== winner)].slice(0, n);
  /** Prices: the winner's, and the others a few per cent above it. */
  const pricesAbove = (winnerYuan: number, n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? winnerYuan : Math.round((winnerYuan * (1000 + 17 * i + (i % 2) * 9)) / 1000)));

  /**
   * The project's award through its method's procedure: to `winner` (registered for the
   * category) at `amountYuan`, except in a competition, whose bids decide both. Returns the
   * suppliers that took part (the winner first).
   */
  async function throughAward(pid: number, purchaser: string, winner: number | null, amountYuan: number): Promise<number[]> {
    const p = await proj.loadProject(db, pid);
    if (p.method === 'public_tender') {
      const facts = await projectFacts(pid);
      const bidders = await tenderBidders(facts.categoryCode, winner!, 4);
      await throughTender(pid, purchaser, bidders, pricesAbove(amountYuan, bidders.length));
      return bidders;
    } else if (p.method === 'inquiry' || p.method === 'competitive_negotiation') {
      await run((t) => proj.issueDocuments(t, op, pid, { deadlineAt: responseDeadline(p.method as 'inquiry' | 'competitive_negotiation', 1) }));
      await until(pid, 'evaluation');
      await run((t) => proj.recordResult(t, op, pid, { validResponses: 3, supplierId: winner!, amountFen: amountYuan * YUAN }));
    } else if (p.method === 'single_source') {
      await run((t) => proj.publishJustification(t, op, pid));
      await until(pid, 'negotiation');
      await run((t) => proj.recordNegotiation(t, op, pid, { supplierId: winner!, amountFen: amountYuan * YUAN }));
    } else {
      await throughCompetition(pid);
      const p2 = await proj.loadProject(db, pid);
      return [p2.awarded_supplier_id!];
    }
    return [winner!];
  }
  const party = (username: string): con.Party => ({ userId: users.get(username)!.id, orgId: users.get(username)!.orgId, supplierId: users.get(username)!.supplierId });
  async function throughContract(pid: number, purchaser: string, upTo: 'drafted' | 'purchaser_signed' | 'signed' | 'accepted' | 'treasury_accepted' | 'treasury_rejected' | 'paid') {
    await until(pid, 'contract'); // award notice and challenge period run out (jobs)
    const cid = await run((t) => con.createContract(t, op, party('operator'), { projectId: pid, terms: '按采购文件及中标（成交）结果签订，交货期30日，验收合格后一次性支付。' }));
    if (upTo === 'drafted') return;
    await later(1);
    await run((t) => con.signContract(t, actorOf(purchaser), party(purchaser), cid as number));
    if (upTo === 'purchaser_signed') return;
    const p = await proj.loadProject(db, pid);
    const supplierUser = [...users.entries()].find(([, u]) => u.supplierId === p.awarded_supplier_id)?.[0];
    // Demo suppliers without a platform account: the seed signs in their name (audited as system:seed).
    const sup: Actor = supplierUser ? actorOf(supplierUser) : { ...seedActor, role: 'supplier' };
    await later(1);
    await run((t) => con.signContract(t, sup, { userId: supplierUser ? users.get(supplierUser)!.id : 0, orgId: null, supplierId: p.awarded_supplier_id }, cid as number));
    if (upTo === 'signed') return;
    await later(10);
    await run((t) => con.acceptDelivery(t, actorOf(purchaser), party(purchaser), cid as number, { note: '货物到齐，经验收小组验收合格。' }));
    if (upTo === 'accepted') return;
    await later(4);
    const pay = await db('payment_requests').where({ project_id: pid }).first();
    const fin = systemActor('finance-api', c);
    if (upTo === 'treasury_rejected') {
      await run((t) => con.applyPaymentStatus(t, fin, pay.ref, { status: 'rejected', reason: '发票信息与合同不一致，请补正后重新提交。' }));
      return;
    }
    await run((t) => con.applyPaymentStatus(t, fin, pay.ref, { status: 'accepted', treasuryRef: `GK${pay.id}` }));
    if (upTo === 'treasury_accepted') return;
    await later(2);
    await run((t) => con.applyPaymentStatus(t, fin, pay.ref, { status: 'paid', treasuryRef: `GK${pay.id}` }));
  }

  // --- Requisitions in every approval state (Education Bureau, PU01) ---
  await at(1);
  await raise('purchaser', '教研室便携式计算机采购', [item('A02010105', '便携式计算机', 12, 6800)], { submit: false }); // draft
  await raise('purchaser', '多媒体教室投影仪更新', [item('A02020800', '投影仪', 20, 4500)]); // waiting for the unit head
  await at(2);
  const atFinance = await raise('purchaser', '教育局机关办公桌椅采购', [item('A05010100', '办公桌椅', 40, 1800, '套')]);
  await later(0.5);
  await decideNext(atFinance); // now with finance review
  await at(3);
  const atCentre = await raise('purchaser', '教育城域网交换机采购', [item('A02010302', '交换机', 30, 12000)]);
  await later(0.3);
  await decideNext(atCentre);
  await later(0.5);
  await decideNext(atCentre); // now with the procurement centre
  await at(8);
  const returned = await raise('purchaser', '考试中心激光打印机采购', [item('A02021003', '激光打印机', 25, 3200)]);
  await later(1);
  await decideNext(returned, 'return', '请补充现有打印机的使用年限和报废情况。');
  await at(9);
  const rejected = await raise('purchaser', '局机关公务用车采购', [item('A02030500', '乘用车', 2, 180000, '辆')]);
  await later(1);
  await decideNext(rejected, 'reject', '公务用车编制已满，不予采购。');
  await at(6);
  const cancelled = await raise('purchaser', '会议室空调机更换', [item('A02061800', '空调机', 6, 7000)]);
  await later(1);
  await tx((t) => req.cancel(t, actorOf('purchaser'), { userId: users.get('purchaser')!.id, orgId: users.get('purchaser')!.orgId }, cancelled, { reason: '已由物业统一更换，无需采购。' }));
  // An approval step left beyond its time limit: the job writes step.overdue.
  await at(12);
  await raise('purchaser2', '学校图书馆平板电脑采购', [item('A02010108', '平板式微型计算机', 60, 3000)]);
  await later(8);

  // --- A suspected split: three property-management orders, each under the tender threshold ---
  await at(20);
  for (const [n, days] of [
    ['一号楼', 0],
    ['二号楼', 5],
    ['三号楼', 5],
  ] as const) {
    await later(days);
    await raise('purchaser4', `委机关${n}物业管理服务`, [item('C2101', `${n}物业管理服务（一年）`, 1, 900_000, '项')]);
  }

  // --- Projects in every stage, for every method ---
  // Public tender: documents prepared; bidding open; failed; challenge period; closed and paid.
  await at(2);
  await approved('purchaser4', '市急救中心医疗设备采购', [item('A02320000', '心电监护仪', 100, 25_000)]);
  await at(12);
  const tOpen = await approved('purchaser', '智慧校园信息系统集成', [item('C1603', '智慧校园系统集成实施', 1, 2_600_000, '项')]);
  await run((t) => proj.publishNotice(t, op, tOpen, { deadlineAt: tenderDeadline(3) }));
  await later(1);
  await run((t) => proj.issueDocuments(t, op, tOpen, {}));
  await at(50);
  const tFail = await approved('purchaser2', '学校实验楼装修工程', [item('B07', '实验楼装修工程', 1, 4_500_000, '项')]);
  // Two sealed bids only: the opening fails the tender, and the project with it.
  await throughTender(tFail, 'purchaser2', await tenderBidders('B07', await supplierFor('B07', 0), 2), [4_380_000, 4_420_000]);
  // One tender whose notice is out while its documents wait to be issued, and one whose bid
  // deadline has passed (the deadline job moved it to the opening) and waits for the opening record.
  await at(3);
  const tNotice = await approved('purchaser2', '区图书馆自助借还设备采购', [item('A02010104', '自助借还一体机', 120, 18_000)]);
  // Its deadline leaves the full legal period for documents issued today.
  await run((t) => proj.publishNotice(t, op, tNotice, { deadlineAt: new Date(Math.max(Date.parse(tenderDeadline()), realNow + (rule(book, 'tenderBiddingPeriodDays') + 2) * DAY, addWd(realNow, rule(book, 'tenderDocumentsAvailableWorkingDays') + 1))).toISOString() }));
  await at(40);
  const tOpening = await approved('purchaser4', '市急救中心超声诊断设备采购', [item('A02320000', '医用超声诊断设备', 10, 260_000)]);
  await run((t) => proj.publishNotice(t, op, tOpening, { deadlineAt: tenderDeadline() }));
  await later(0.5);
  await run((t) => proj.issueDocuments(t, op, tOpening, {}));
  await until(tOpening, 'opening');
  await at(31);
  const tChallenge = await approved('purchaser4', '全民健康信息平台运维服务', [item('C1605', '信息平台运行维护服务（三年）', 1, 2_400_000, '项')]);
  const chBidders = await throughAward(tChallenge, 'purchaser4', await supplierFor('C1605', 1), 2_180_000);
  await later(1); // a losing bidder challenges; the reply is still due
  await run((t) => fileChallenge(t, op, { supplierId: null }, tChallenge, { supplierId: chBidders[chBidders.length - 1], summary: '中标人的业绩证明材料与招标文件要求的项目规模不符。' }));
  await at(85);
  const tClosed = await approved('purchaser', '全市中小学教学用计算机', [item('A02010104', '台式计算机', 500, 5200)]);
  const closedBidders = await throughAward(tClosed, 'purchaser', demoSupplier, 2_310_000);
  await later(1); // a challenge, answered and dismissed within the period
  const ch = await run((t) => fileChallenge(t, op, { supplierId: null }, tClosed, { supplierId: closedBidders[1], summary: '评分中对我方售后服务方案的打分不合理。' }));
  await later(2);
  await run((t) => replyChallenge(t, op, { userId: users.get('operator')!.id }, tClosed, ch as number, { upheld: false, reply: '经复核，评标委员会评分符合招标文件规定的评分标准，质疑不成立。' }));
  await throughContract(tClosed, 'purchaser', 'paid');

  // Inquiry: responses open; contract awaiting the supplier's signature; acceptance.
  await at(2);
  const iOpen = await approved('purchaser2', '学校网络服务器采购', [item('A02010201', '服务器', 4, 60_000)]);
  await run((t) => proj.issueDocuments(t, op, iOpen, { deadlineAt: responseDeadline('inquiry', 2, 2) }));
  await at(28);
  const iContract = await approved('purchaser', '教育局数据中心服务器扩容', [item('A02010201', '服务器', 6, 58_000)]);
  await throughAward(iContract, 'purchaser', demoSupplier, 318_000);
  await throughContract(iContract, 'purchaser', 'purchaser_signed');
  await at(26);
  const iDrafted = await approved('purchaser4', '卫健委机关网络交换机更新', [item('A02010302', '交换机', 10, 9_000)]);
  await throughAward(iDrafted, 'purchaser4', await supplierFor('A02010302', 1), 84_000);
  await throughContract(iDrafted, 'purchaser4', 'drafted');
  await at(45);
  const iAccept = await approved('purchaser4', '卫健委医疗设备采购', [item('A02320000', '便携式超声诊断仪', 3, 98_000)]);
  await throughAward(iAccept, 'purchaser4', await supplierFor('A02320000', 0), 276_000);
  await throughContract(iAccept, 'purchaser4', 'signed');

  // Competitive negotiation: evaluation; payment requested (awaiting the treasury).
  await at(8);
  const nEval = await approved('purchaser', '教育局法律顾问服务', [item('C2301', '常年法律顾问服务', 1, 180_000, '项')]);
  await run((t) => proj.issueDocuments(t, op, nEval, { deadlineAt: responseDeadline('competitive_negotiation', 0) }));
  await until(nEval, 'evaluation');
  await at(60);
  const nPay = await approved('purchaser2', '学校保洁服务', [item('C1204', '校园保洁服务（一年）', 1, 420_000, '项')]);
  await throughAward(nPay, 'purchaser2', await supplierFor('C1204', 0), 396_000);
  await throughContract(nPay, 'purchaser2', 'accepted');
  await at(66);
  const nTreasury = await approved('purchaser', '教育局机关物业管理服务', [item('C2101', '机关物业管理服务（一年）', 1, 380_000, '项')]);
  await throughAward(nTreasury, 'purchaser', await supplierFor('C2101', 1), 362_000);
  await throughContract(nTreasury, 'purchaser', 'treasury_accepted');
  await at(75);
  const nReturned = await approved('purchaser', '教育局会计审计服务', [item('C2302', '年度财务审计服务', 1, 150_000, '项')]);
  await throughAward(nReturned, 'purchaser', await supplierFor('C2302', 0), 138_000);
  await throughContract(nReturned, 'purchaser', 'treasury_rejected');

  // Single source: justification notice running; contract overdue past the 30 days.
  await at(1);
  const sNotice = await approved('purchaser', '教务管理系统原厂升级', [item('C1601', '教务管理系统升级（原厂独有技术）', 1, 350_000, '项')], { singleSourceReason: '系统为原厂专有技术，升级只能由原开发商实施，无其他供应商可提供。' });
  await run((t) => proj.publishJustification(t, op, sNotice));
  await at(16);
  const sNegotiation = await approved('purchaser2', '校园一卡通系统原厂扩容', [item('C1601', '一卡通系统扩容（原厂专有协议）', 1, 260_000, '项')], { singleSourceReason: '一卡通系统采用原厂专有通信协议，扩容只能由原厂实施。' });
  await run((t) => proj.publishJustification(t, op, sNegotiation));
  await until(sNegotiation, 'negotiation');
  await at(48);
  const sOverdue = await approved('purchaser4', '医学影像系统原厂维保', [item('C1605', '影像系统原厂维保（一年）', 1, 520_000, '项')], { singleSourceReason: '设备厂商独家掌握维修技术和备件，其他供应商无法提供。' });
  await throughAward(sOverdue, 'purchaser4', await supplierFor('C1605', 2), 505_000);
  await later(40); // no contract: the 30-day job writes step.overdue

  // --- Invitational tender (邀请招标): documents prepared; prequalification with applications;
  // suppliers drawn (sealed); bidding open among the invited; awarded through a real tender, paid.
  const invitationalReason = { requestedMethod: 'invitational_tender' as const, methodRequestReason: '该设备技术要求特殊，只有少数几家供应商能够提供，经财政部门同意采用邀请招标。' };
  /** Draws `count` suppliers of the project's category; returns the invited (found by their tags, as each supplier finds its own). */
  async function inviteByDraw(pid: number, count: number): Promise<number[]> {
    const f = await projectFacts(pid);
    const ref = (await proj.loadProject(db, pid)).ref;
    await run(async (t) => {
      const draw = await invitations.drawSuppliers(t, { subject: { type: 'project', id: pid, ref }, categoryCode: f.categoryCode, count, revealAt: new Date(tenderDeadline()) }, op);
      await proj.recordInvitations(t, op, pid, { source: 'draw', invited: count, drawId: draw.id });
    });
    const out: number[] = [];
    for (const id of await registered(f.categoryCode)) if (await invitations.isInvited(db, { type: 'project', id: pid }, id)) out.push(id);
    return out;
  }
  const invitedCategory = 'A02320000';
  const invitedCount = Math.min(5, (await registered(invitedCategory)).length);
  await at(3);
  await approved('purchaser4', '市急救中心医用磁共振设备采购', [item(invitedCategory, '医用磁共振成像设备（1.5T）', 1, 2_800_000)], invitationalReason);
  await at(4);
  const vPrequal = await approved('purchaser4', '市急救中心高压氧舱采购', [item(invitedCategory, '医用高压氧舱', 1, 1_600_000)], invitationalReason);
  await run((t) => proj.openPrequalification(t, op, vPrequal, { deadlineAt: new Date(Math.max(addWd(c.t, rule(book, 'prequalificationNoticeWorkingDays')) + 3600_000, addWd(realNow, 2))).toISOString() }));
  for (const supplierId of (await registered(invitedCategory)).slice(0, 2)) {
    await later(0.5);
    const userId = await tx((t) => ensureSupplierUser(t, c, supplierId));
    await run(async (t) => {
      await t('prequalification_applications').insert({ project_id: vPrequal, supplier_id: supplierId, statement: '我公司近三年完成同类设备供货安装五项，具备售后服务能力。', status: 'applied', applied_at: toDbTime(c.now()) });
      await record(t, { userId, role: 'supplier', requestId: null, ip: null, clock: c }, { action: 'prequalification.applied', entityType: 'project', entityId: vPrequal, after: { supplierId } });
    });
  }
  await at(2);
  const vInvited = await approved('purchaser', '教育局实验室质谱仪采购', [item(invitedCategory, '液相色谱质谱联用仪', 1, 2_300_000)], invitationalReason);
  await inviteByDraw(vInvited, invitedCount);
  await at(10);
  const vBidding = await approved('purchaser2', '学校数字化实验室设备采购', [item(invitedCategory, '数字化实验教学设备', 20, 95_000)], invitationalReason);
  const vBidders = await inviteByDraw(vBidding, invitedCount);
  {
    const f = await projectFacts(vBidding);
    const tpl = TEMPLATES[f.kind];
    const deadline = tenderDeadline(3);
    const tender = await tenderDocs.createTender(tendering, op, { title: f.title, kind: f.kind, categoryCode: f.categoryCode, projectId: vBidding, budgetFen: f.budgetFen, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, decryptionMinutes: 30, description: `${f.title}（邀请招标）。资金来源：财政预算资金。`, requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline, openingAt: deadline });
    await later(0.1);
    await tenderDocs.publishTender(tendering, op, tender.id);
    for (const [i, supplierId] of vBidders.slice(0, 2).entries()) {
      await later(1);
      const userId = await tx((t) => ensureSupplierUser(t, c, supplierId));
      const sealed = sealBid({ tenderId: tender.id, supplierId, priceFen: (1_801_700 + i * 23_300) * YUAN, responses: Object.fromEntries(tpl.requirements.map((r) => [r.key, '完全满足'])), attachments: [] }, { keyHex: randomHex(32) });
      await tenderBids.submitBid(tendering, { userId, role: 'supplier', requestId: null, ip: `192.0.2.${100 + (supplierId % 100)}`, clock: c }, supplierId, tender.id, { envelope: sealed.envelope, digest: sealed.digest });
    }
  }
  await at(84);
  const vClosed = await approved('purchaser4', '市急救中心医用直线加速器采购', [item(invitedCategory, '医用直线加速器', 1, 3_200_000)], invitationalReason);
  const vClosedBidders = await inviteByDraw(vClosed, invitedCount);
  await throughTender(vClosed, 'purchaser4', vClosedBidders.slice(0, 4), pricesAbove(3_047_300, Math.min(4, vClosedBidders.length)));
  await throughContract(vClosed, 'purchaser4', 'paid');

  // Competitive consultation: asked for and approved, waiting for its consultation documents
  // (its later stages are the consultation module's demo).
  await at(1);
  await approved('purchaser', '教育局智慧教育平台规划咨询服务', [item('C1601', '智慧教育平台规划咨询（需与供应商磋商确定方案）', 1, 680_000, '项')], { requestedMethod: 'competitive_consultation', methodRequestReason: '服务需求需与供应商共同商定，技术方案无法事先完全确定。' });

  // Online price competition (framework goods): open for the auction; closed.
  await at(1);
  await approved('purchaser', '教育局机关复印纸采购', [item('A08060301', '复印纸A4', 800, 150, '箱')]);
  await at(1);
  const oAwarded = await approved('purchaser4', '卫健委办公室激光打印机', [item('A02021003', '激光打印机', 12, 3_100)]);
  await throughAward(oAwarded, 'purchaser4', null, 0); // the competition decides the winner and the price
  await at(70);
  const oClosed = await approved('purchaser2', '学校复印机采购', [item('A02020100', '复印机', 8, 21_000)]);
  await throughAward(oClosed, 'purchaser2', null, 0);
  await throughContract(oClosed, 'purchaser2', 'paid');

  await at(0);
}
