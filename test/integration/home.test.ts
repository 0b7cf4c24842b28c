import fs from 'node:fs';
import { expect } from 'chai';
import { toDbTime } from '../../server/db/time';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import type { TestClient } from '../helpers/http';
import { ajv } from '../../server/http/ajv';
import { homeResponse } from '../../server/core/worklist/routes';
import { fromDbTime } from '../../server/db/time';

interface Item { key: string; role: string; count: number; href: string; dueAt?: string | null; overdue?: number; severity?: string }

const DEMO = ['purchaser', 'approver', 'operator', 'supplier', 'expert', 'finance', 'supervisor', 'admin'];
const validHome = ajv.compile(homeResponse);

/** The client's page paths (from its registry), to check that every link goes somewhere. */
const CLIENT_PATHS = [...fs.readFileSync('client/src/views/registry.ts', 'utf8').matchAll(/\{ path: '([^']+)'/g)].map((m) => m[1]);
const isClientPath = (href: string) => {
  const parts = new URL(href, 'http://x').pathname.split('/');
  return CLIENT_PATHS.some((p) => {
    const pat = p.split('/');
    return pat.length === parts.length && pat.every((seg, i) => (seg.startsWith(':') ? parts[i] !== '' : seg === parts[i]));
  });
};

/** Beijing's calendar day of an instant (the platform's business day). */
const beijingDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
const t = (v: string | null) => (v ? fromDbTime(v)!.getTime() : null);

/** Count, earliest limit and overdue of rows with a time limit, computed here from the rows themselves. */
function timed(rows: Array<{ due: string | null; overdueAt?: string | null }>, now: number) {
  const dues = rows.map((r) => t(r.due)).filter((x): x is number => x !== null);
  return {
    count: rows.length,
    dueAt: dues.length ? new Date(Math.min(...dues)).toISOString() : null,
    overdue: rows.filter((r) => (t(r.due) ?? Infinity) < now || !!r.overdueAt).length,
  };
}

describe(`home: each role's work from GET /api/home (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  let s: TestServer;
  const clients: Record<string, TestClient> = {};
  const home = async (who: string): Promise<{ items: Item[]; at: number }> => {
    const c = (clients[who] ??= await s.as(who));
    const r = await c.get('/api/home');
    expect(r.status, `${who}: ${JSON.stringify(r.body)}`).to.equal(200);
    expect(validHome(r.body), `${who}: ${JSON.stringify(validHome.errors)}`).to.equal(true);
    return { items: r.body.items, at: Date.now() };
  };
  const byKey = (items: Item[]) => Object.fromEntries(items.map((i) => [i.key, i]));
  const userOf = async (username: string) => s.tdb.db('users').where({ username }).first('id', 'org_id', 'supplier_id');

  before(async () => {
    s = await startTestServer({ seed: 'demo' });
  });
  after(() => s?.stop());

  it('answers 401 without a session, and every demo account with work gets at least one item with a count', async () => {
    expect((await s.client().get('/api/home')).status).to.equal(401);
    for (const who of DEMO) {
      const { items } = await home(who);
      const role = who;
      expect(items.length, who).to.be.greaterThan(0);
      expect(items.every((i) => i.role === role), who).to.equal(true);
      expect(items.some((i) => i.count > 0), `${who}: ${JSON.stringify(items)}`).to.equal(true);
      expect(new Set(items.map((i) => i.key)).size, `${who}: one item per kind of work`).to.equal(items.length);
      for (const i of items) {
        expect(isClientPath(i.href), `${who}: ${i.key} → ${i.href}`).to.equal(true);
        if (i.dueAt) expect(i.dueAt, i.key).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        if (i.overdue !== undefined) expect(i.overdue, i.key).to.be.at.most(i.count);
      }
    }
  });

  it('the purchaser: drafts and returned requisitions as its requisition list shows them, the award waiting on its evaluated tender', async () => {
    for (const who of ['purchaser', 'purchaser2', 'purchaser4']) {
      const u = await userOf(who);
      const c = (clients[who] ??= await s.as(who));
      const { items, at } = await home(who);
      const got = byKey(items);
      for (const status of ['draft', 'returned']) {
        const list = await c.get(`/api/requisitions?status=${status}`);
        expect(got[`purchaser.requisitions.${status}`].count, `${who} ${status}`).to.equal(list.body.total);
        if (list.body.total === 1) expect(got[`purchaser.requisitions.${status}`].href).to.equal(`/requisitions/${list.body.items[0].id}`);
      }
      const openStage = async (stage: string, projectIds: number[]) =>
        (await s.tdb.db('project_stages').whereIn('project_id', projectIds).where({ stage }).whereNull('exited_at').select('due_at', 'overdue_at')).map((r: any) => ({ due: r.due_at, overdueAt: r.overdue_at }));
      const projects = await s.tdb.db('procurement_projects').where({ org_id: u.org_id }).select('id', 'stage');
      const contracts = await s.tdb.db('contracts').whereIn('project_id', projects.map((p: any) => p.id)).select('project_id', 'status');
      const withContract = new Set(contracts.map((c: any) => c.project_id));
      const toDraft = projects.filter((p: any) => p.stage === 'contract' && !withContract.has(p.id)).map((p: any) => p.id);
      expect(got['purchaser.contracts.draft']).to.include(timed(await openStage('contract', toDraft), at));
      const toSign = contracts.filter((c: any) => c.status === 'drafted' || c.status === 'supplier_signed').map((c: any) => c.project_id);
      expect(got['purchaser.contracts.sign']).to.include(timed(await openStage('contract', toSign), at));
      const toAccept = contracts.filter((c: any) => c.status === 'signed').map((c: any) => c.project_id);
      expect(got['purchaser.deliveries.accept']).to.include(timed(await openStage('acceptance', toAccept), at));
      const returned = await s.tdb.db('payment_requests').whereIn('project_id', projects.map((p: any) => p.id)).where({ status: 'rejected' });
      expect(got['purchaser.payments.returned'].count, who).to.equal(returned.length);
      const evaluated = await s.tdb.db('tenders').where({ purchasing_org_id: u.org_id, status: 'evaluated' }).select('id');
      expect(got['purchaser.tenders.award']).to.include({ count: evaluated.length, href: evaluated.length === 1 ? `/tenders/${evaluated[0].id}` : '/tenders' });
    }
    // The demo's story: the Education Bureau has a draft, a returned requisition, a treasury-returned
    // payment and a tender to award; the Health Commission a single-source award whose contract is late.
    const edu = byKey((await home('purchaser')).items);
    expect(edu['purchaser.requisitions.draft'].count).to.equal(1);
    expect(edu['purchaser.requisitions.returned'].count).to.equal(1);
    expect(edu['purchaser.payments.returned'].count).to.equal(1);
    expect(edu['purchaser.tenders.award']).to.include({ count: 1 });
    expect(edu['purchaser.tenders.award'].href).to.match(/^\/tenders\/\d+$/);
    const health = byKey((await home('purchaser4')).items);
    expect(health['purchaser.contracts.draft']).to.include({ count: 1, overdue: 1 });
    expect(health['purchaser.deliveries.accept'].count).to.equal(1);
  });

  it('approvers, finance and the procurement centre: pending steps as their inbox lists them, with the earliest limit and the overdue ones', async () => {
    const cases: Array<[string, string]> = [['approver', 'approver.approvals'], ['approver2', 'approver.approvals'], ['approver4', 'approver.approvals'], ['finance', 'finance.approvals'], ['operator', 'operator.approvals']];
    for (const [who, key] of cases) {
      const c = (clients[who] ??= await s.as(who));
      const inbox = await c.get('/api/approvals/inbox?pageSize=200');
      const { items, at } = await home(who);
      const rows = inbox.body.items.map((x: any) => ({ due: x.dueAt ? x.dueAt.replace('T', ' ').replace('Z', '') : null, overdueAt: x.overdueAt }));
      expect(byKey(items)[key], who).to.include(timed(rows, at));
      expect(byKey(items)[key].href, who).to.equal(inbox.body.total === 1 ? `/requisitions/${inbox.body.items[0].requisitionId}` : '/approvals');
    }
    // The demo's overdue unit-head step at No. 1 Middle School.
    expect(byKey((await home('approver2')).items)['approver.approvals']).to.include({ count: 1, overdue: 1 });
  });

  it('finance: payment requests waiting on the treasury (requested or accepted, not yet paid)', async () => {
    const c = (clients.finance ??= await s.as('finance'));
    const got = byKey((await home('finance')).items)['finance.payments.waiting'];
    const requested = (await c.get('/api/payment-requests?status=requested')).body.total;
    const accepted = (await c.get('/api/payment-requests?status=accepted')).body.total;
    expect(got).to.deep.equal({ key: 'finance.payments.waiting', role: 'finance', count: requested + accepted, href: '/payments' });
    expect(got.count).to.be.greaterThan(0);
  });

  it('the operator: supplier reviews, projects waiting for documents or an opening/result record, challenges, tenders and competitions', async () => {
    const c = (clients.operator ??= await s.as('operator'));
    let got: Record<string, Item>;
    let at: number;
    let before: number;
    // Competitions "today" mean Beijing's day: read it again if midnight in Beijing fell between.
    do {
      before = Date.now();
      ({ items: got, at } = await home('operator').then((r) => ({ items: byKey(r.items), at: r.at })));
    } while (beijingDay(new Date(before)) !== beijingDay(new Date(at)));
    expect(got['operator.suppliers.review']).to.include({ count: (await c.get('/api/suppliers?status=pending')).body.total, href: '/suppliers?status=pending' });
    expect(got['operator.suppliers.changes'].count).to.equal((await c.get('/api/suppliers?pendingChanges=true')).body.total);
    const db = s.tdb.db;
    const liveTender = new Set((await db('tenders').whereNotNull('project_id').whereNotIn('status', ['failed', 'cancelled']).select('project_id')).map((r: any) => r.project_id));
    const projects = (await db('procurement_projects').select('id', 'stage')).filter((p: any) => !liveTender.has(p.id));
    const inStage = (...stages: string[]) => projects.filter((p: any) => stages.includes(p.stage)).length;
    // An invitational tender waits for its documents once its suppliers are invited, or its prequalification has closed.
    const prequalClosed = (await db('procurement_projects').where({ stage: 'prequalification' }).where('deadline_at', '<=', toDbTime(s.clock.now())).pluck('id')).filter((id: number) => !liveTender.has(id)).length;
    expect(got['operator.projects.documents'].count).to.equal(inStage('documents_prepared', 'suppliers_invited') + prequalClosed);
    expect(got['operator.projects.opening'].count).to.equal(inStage('opening'));
    expect(got['operator.projects.result'].count).to.equal(inStage('evaluation', 'negotiation'));
    const challenges = (await db('project_challenges').where({ status: 'open' }).select('reply_due_at', 'overdue_at')).map((r: any) => ({ due: r.reply_due_at, overdueAt: r.overdue_at }));
    expect(got['operator.challenges']).to.include(timed(challenges, at));
    const tenders = await db('tenders').select('status', 'decryption_ends_at');
    expect(got['operator.tenders.draft'].count).to.equal(tenders.filter((x: any) => x.status === 'draft').length);
    expect(got['operator.tenders.opening']).to.include(timed(tenders.filter((x: any) => x.status === 'opening').map((x: any) => ({ due: x.decryption_ends_at })), at));
    const auctions = (await db('auctions').select('id', 'status', 'starts_at')).map((a: any) => ({ id: a.id, status: a.status, startsAt: fromDbTime(a.starts_at)!.toISOString() }));
    const today = auctions.filter((a) => ['announced', 'running', 'suspended'].includes(a.status) && beijingDay(new Date(a.startsAt)) === beijingDay(new Date(at)));
    expect(got['operator.competitions.today'].count).to.equal(today.length);
    expect(got['operator.competitions.today'].dueAt).to.equal(today.length ? new Date(Math.min(...today.map((a) => Date.parse(a.startsAt)))).toISOString() : null);
    expect(got['operator.competitions.suspended'].count).to.equal(auctions.filter((a) => a.status === 'suspended').length);
    expect(got['operator.competitions.draft'].count).to.equal(auctions.filter((a) => a.status === 'draft').length);
    // The demo city: registrations waiting, a project to prepare, an open challenge, a tender draft.
    for (const k of ['operator.suppliers.review', 'operator.projects.documents', 'operator.challenges', 'operator.tenders.draft', 'operator.tenders.opening']) expect(got[k].count, k).to.be.greaterThan(0);
  });

  it('the supplier: the running competition it joined, its sealed bid to decrypt, the contract to sign', async () => {
    const u = await userOf('supplier');
    const db = s.tdb.db;
    const { items, at } = await home('supplier');
    const got = byKey(items);
    const joined = await db('auctions as a').join('auction_participants as p', 'p.auction_id', 'a.id').where('p.supplier_id', u.supplier_id).select('a.id', 'a.status', 'a.starts_at', 'a.ends_at');
    const running = joined.filter((a: any) => a.status === 'running' || a.status === 'suspended');
    expect(got['supplier.competitions.running'].count).to.equal(running.length);
    expect(got['supplier.competitions.running'].count).to.be.greaterThan(0);
    expect(got['supplier.competitions.running'].dueAt).to.equal(timed(running.map((a: any) => ({ due: a.ends_at })), at).dueAt);
    if (running.length === 1) expect(got['supplier.competitions.running'].href).to.equal(`/auctions/${running[0].id}`);
    const bids = await db('tender_bids as b').join('tenders as t', 't.id', 'b.tender_id').where('b.supplier_id', u.supplier_id).where('b.status', 'sealed').where('t.status', 'opening').select('t.id', 't.decryption_ends_at');
    const open = bids.filter((b: any) => t(b.decryption_ends_at)! > at);
    expect(got['supplier.bids.decrypt']).to.include({ ...timed(open.map((b: any) => ({ due: b.decryption_ends_at })), at), count: 1, href: `/tenders/${open[0].id}` });
    const contracts = await db('contracts').where({ supplier_id: u.supplier_id }).whereIn('status', ['drafted', 'purchaser_signed']).select('project_id');
    expect(got['supplier.contracts.sign'].count).to.equal(contracts.length);
    expect(got['supplier.contracts.sign'].count).to.be.greaterThan(0);
    expect(got['supplier.application'].count).to.equal(0); // an approved supplier
  });

  it('the expert: the invitation its own tag finds, the tender to score and the report to confirm', async () => {
    const c = (clients.expert ??= await s.as('expert'));
    const { items, at } = await home('expert');
    const got = byKey(items);
    const mine = (await c.get('/api/my/invitations')).body.items.filter((i: any) => i.status === 'pending' && i.drawStatus === 'sealed' && Date.parse(i.deadlineAt) > at);
    expect(got['expert.invitations']).to.deep.equal({ key: 'expert.invitations', role: 'expert', count: mine.length, href: '/my-invitations', dueAt: mine.length ? mine.map((i: any) => i.deadlineAt).sort()[0] : null });
    expect(mine.length).to.be.greaterThan(0);
    const expert = await s.tdb.db('experts as e').join('users as u', 'u.id', 'e.user_id').where('u.username', 'expert').first('e.id');
    const seats = await s.tdb.db('tender_committee as m').join('tenders as t', 't.id', 'm.tender_id').where('m.expert_id', expert.id).select('t.id', 't.status', 'm.scores_submitted_at', 'm.report_confirmed_at');
    const toScore = seats.filter((x: any) => x.status === 'evaluation' && !x.scores_submitted_at);
    const toConfirm = seats.filter((x: any) => x.status === 'report_confirmation' && !x.report_confirmed_at);
    expect(got['expert.evaluations']).to.include({ count: toScore.length, href: toScore.length === 1 ? `/tenders/${toScore[0].id}` : '/tenders' });
    expect(got['expert.reports']).to.include({ count: toConfirm.length, href: toConfirm.length === 1 ? `/tenders/${toConfirm[0].id}` : '/tenders' });
    expect(toScore.length + toConfirm.length).to.be.greaterThan(0);
    // Another expert's invitations are not this expert's work (the seal holds: each finds only its own).
    const other = (await s.tdb.db('experts').whereNotNull('user_id').whereNot('id', expert.id).first('user_id'));
    const otherName = (await s.tdb.db('users').where({ id: other.user_id }).first('username')).username;
    const theirs = byKey((await home(otherName)).items)['expert.invitations'];
    const theirList = (await (clients[otherName] ??= await s.as(otherName)).get('/api/my/invitations')).body.items.filter((i: any) => i.status === 'pending' && i.drawStatus === 'sealed');
    expect(theirs.count).to.equal(theirList.length);
  });

  it('the supervisor: open alerts by severity as the alert list counts them, and those assigned to them', async () => {
    const c = (clients.supervisor ??= await s.as('supervisor'));
    const got = byKey((await home('supervisor')).items);
    let total = 0;
    for (const severity of ['critical', 'high', 'medium', 'low']) {
      const list = await c.get(`/api/supervision/alerts?open=true&severity=${severity}&pageSize=1`);
      expect(got[`supervisor.alerts.${severity}`], severity).to.deep.equal({ key: `supervisor.alerts.${severity}`, role: 'supervisor', count: list.body.total, href: '/supervision/alerts', severity });
      total += list.body.total;
    }
    expect(total).to.equal((await c.get('/api/supervision/alerts?open=true&pageSize=1')).body.total);
    expect(total).to.be.greaterThan(0);
    const me = await userOf('supervisor');
    expect(got['supervisor.alerts.assigned'].count).to.equal((await c.get(`/api/supervision/alerts?open=true&assignedTo=${me.id}&pageSize=1`)).body.total);
  });

  it('the admin: holiday calendars to confirm and payment messages to the finance system still waiting for delivery', async () => {
    const c = (clients.admin ??= await s.as('admin'));
    const items = byKey((await home('admin')).items);
    const years: number[] = (await c.get('/api/calendar')).body.unconfirmedYears;
    expect(items['admin.calendar.confirm']).to.deep.equal({ key: 'admin.calendar.confirm', role: 'admin', count: years.length, href: years.length ? `/calendar?year=${years[0]}` : '/calendar' });
    if (years.length) {
      // Confirming the year (after checking it) takes it off the list.
      const r = await c.post(`/api/calendar/${years[0]}/confirm`, { note: '已核对国务院办公厅通知' });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(byKey((await home('admin')).items)['admin.calendar.confirm'].count).to.equal(years.length - 1);
    }
    const got = items['admin.finance.outbox'];
    const outbox = await c.get('/api/finance/outbox');
    const pending = (outbox.body.items as Array<{ status: string }>).filter((m) => m.status === 'pending').length;
    expect(got).to.deep.equal({ key: 'admin.finance.outbox', role: 'admin', count: pending, href: '/payments' });
    expect(got.count).to.be.greaterThan(0); // the demo registers no finance webhook
  });

  it('follows the work: an approval moves the step from the unit head to finance', async () => {
    const approver = (clients.approver ??= await s.as('approver'));
    const step = (await approver.get('/api/approvals/inbox')).body.items[0];
    const before = { approver: byKey((await home('approver')).items)['approver.approvals'].count, finance: byKey((await home('finance')).items)['finance.approvals'].count };
    const r = await approver.post(`/api/approvals/${step.id}/decision`, { decision: 'approve', comment: '同意' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(byKey((await home('approver')).items)['approver.approvals'].count).to.equal(before.approver - 1);
    const finance = byKey((await home('finance')).items)['finance.approvals'];
    expect(finance.count).to.equal(before.finance + 1);
    expect(Date.parse(finance.dueAt!)).to.be.greaterThan(Date.now());
  });
});
