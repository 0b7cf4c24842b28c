// The home screen's to-do list: for each of the user's roles, each kind of work waiting for them,
// counted from the owning modules' tables, with the earliest time limit and how many are overdue.
// Read only: every count is a query over the state the workflow, libraries and wings keep.
import type { Knex } from 'knex';
import type { SessionUser } from '../../http/auth/sessions';
import { isoFromDb, toDbTime } from '../../db/time';
import { loadCalendar, unconfirmedYears } from '../rules/calendar';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

export interface WorkItem {
  /** What kind of work, e.g. `approver.approvals` (the client's label is `home.item.<key>`). */
  key: string;
  /** The role this work belongs to. */
  role: string;
  count: number;
  /** A client page: the one thing when there is exactly one, otherwise the list it is in. */
  href: string;
  /** The earliest time limit among the counted things (ISO, UTC), where the work has limits. */
  dueAt?: string | null;
  /** How many are past their time limit, where the work has limits. */
  overdue?: number;
  severity?: Severity;
}

export interface WorklistDeps {
  db: Knex;
  /** The expert's own invitations, found by their HMAC tag (the draw service's own lookup). */
  myInvitations: (db: Knex, expertId: number) => Promise<Array<{ id: number; deadlineAt: string; status: string; drawStatus: string }>>;
  /** The supplier's own invitations to invited procedures (invitational tender), found by their tag. */
  mySupplierInvitations?: (db: Knex, supplierId: number) => Promise<Array<{ subjectType: string; subjectId: number }>>;
}

interface Tally {
  count: number;
  /** The id of the one thing counted when count is 1. */
  one: number | null;
  dueAt: string | null;
  overdue: number;
}

/**
 * Counts the rows of `q` (a FROM/JOIN/WHERE builder), with the id of one of them, the earliest
 * `due` and how many are overdue (due before now, or marked overdue by the time-limit job).
 */
async function tally(db: Knex, q: Knex.QueryBuilder, idCol: string, now: Date, due?: { col: string; overdueCol?: string }): Promise<Tally> {
  const nowDb = toDbTime(now);
  const sel = q.clone().clearSelect().clearOrder().count({ n: '*' }).min({ one: idCol });
  if (due) {
    sel.min({ due: due.col });
    const late = due.overdueCol ? `${due.col} < ? or ${due.overdueCol} is not null` : `${due.col} < ?`;
    sel.select(db.raw(`sum(case when ${late} then 1 else 0 end) as late`, [nowDb]));
  }
  const r: any = (await sel.first()) ?? {};
  const count = Number(r.n ?? 0);
  return { count, one: count === 1 && r.one !== null ? Number(r.one) : null, dueAt: due ? isoFromDb(r.due) : null, overdue: Number(r.late ?? 0) };
}

/**
 * An item from a tally: `one(id)` is the page of the single thing, `list` the page of all.
 * `time`: 'limit' for work with time limits (earliest limit and overdue count), 'at' for work that
 * happens at a time (the earliest start or end; nothing can be overdue), null for neither.
 */
function item(key: string, role: string, t: Tally, link: { list: string; one?: (id: number) => string }, time: 'limit' | 'at' | null): WorkItem {
  const href = t.count === 1 && t.one !== null && link.one ? link.one(t.one) : link.list;
  return { key, role, count: t.count, href, ...(time ? { dueAt: t.dueAt } : {}), ...(time === 'limit' ? { overdue: t.overdue } : {}) };
}

/** Today in China Standard Time as a UTC range (the platform's business day). */
export function beijingDay(now: Date): { from: Date; to: Date } {
  const cst = new Date(now.getTime() + 8 * 3600_000);
  const start = Date.UTC(cst.getUTCFullYear(), cst.getUTCMonth(), cst.getUTCDate()) - 8 * 3600_000;
  return { from: new Date(start), to: new Date(start + 86_400_000) };
}

/** The open stage row of a project (its time limit), joined as `ps`. */
function openStage(q: Knex.QueryBuilder, db: Knex, projectCol: string, stage: string): Knex.QueryBuilder {
  return q.leftJoin('project_stages as ps', function () {
    this.on('ps.project_id', '=', projectCol).andOn('ps.stage', '=', db.raw('?', [stage])).andOnNull('ps.exited_at');
  });
}

/** Tenders that drive their project (a failed or cancelled one hands it back to the workflow). */
const liveTenderOf = (db: Knex, projectCol: string) => db('tenders as lt').whereRaw(`lt.project_id = ${projectCol}`).whereNotIn('lt.status', ['failed', 'cancelled']).select(db.raw('1'));

async function approvalSteps(db: Knex, role: 'approver' | 'finance' | 'operator', orgId: number, now: Date): Promise<WorkItem> {
  const q = db('approval_steps as s').where('s.status', 'pending').where('s.approver_org_id', orgId).where('s.approver_role', role);
  const t = await tally(db, q, 's.requisition_id', now, { col: 's.due_at', overdueCol: 's.overdue_at' });
  return item(`${role}.approvals`, role, t, { list: '/approvals', one: (id) => `/requisitions/${id}` }, 'limit');
}

async function purchaserItems(db: Knex, orgId: number, now: Date): Promise<WorkItem[]> {
  const reqs = (status: string) => db('requisitions as r').where('r.org_id', orgId).where('r.status', status);
  const projects = () => db('procurement_projects as p').where('p.org_id', orgId);
  const [draft, returned, toDraft, toSign, toAccept, paymentsReturned, toAward, toOrder] = await Promise.all([
    tally(db, reqs('draft'), 'r.id', now),
    tally(db, reqs('returned'), 'r.id', now),
    // Awarded and in the contract stage, but no contract drawn up yet (30-day limit from the award notice).
    tally(db, openStage(projects().where('p.stage', 'contract').whereNotExists(db('contracts as c0').whereRaw('c0.project_id = p.id').select(db.raw('1'))), db, 'p.id', 'contract'), 'p.id', now, { col: 'ps.due_at', overdueCol: 'ps.overdue_at' }),
    tally(db, openStage(db('contracts as c').join('procurement_projects as p', 'p.id', 'c.project_id').where('p.org_id', orgId).whereIn('c.status', ['drafted', 'supplier_signed']), db, 'p.id', 'contract'), 'p.id', now, { col: 'ps.due_at', overdueCol: 'ps.overdue_at' }),
    tally(db, openStage(db('contracts as c').join('procurement_projects as p', 'p.id', 'c.project_id').where('p.org_id', orgId).where('c.status', 'signed'), db, 'p.id', 'acceptance'), 'p.id', now, { col: 'ps.due_at', overdueCol: 'ps.overdue_at' }),
    tally(db, db('payment_requests as pr').join('procurement_projects as p', 'p.id', 'pr.project_id').where('p.org_id', orgId).where('pr.status', 'rejected'), 'p.id', now),
    tally(db, db('tenders as t').where('t.purchasing_org_id', orgId).where('t.status', 'evaluated'), 't.id', now),
    // Approved for a framework agreement, the order not yet placed (server/execution/framework).
    tally(db, projects().where('p.stage', 'order').whereNotExists(db('framework_orders as fo').whereRaw('fo.project_id = p.id').select(db.raw('1'))), 'p.id', now),
  ]);
  const project = { list: '/projects', one: (id: number) => `/projects/${id}` };
  return [
    item('purchaser.requisitions.draft', 'purchaser', draft, { list: '/requisitions', one: (id) => `/requisitions/${id}` }, null),
    item('purchaser.requisitions.returned', 'purchaser', returned, { list: '/requisitions', one: (id) => `/requisitions/${id}` }, null),
    item('purchaser.contracts.draft', 'purchaser', toDraft, project, 'limit'),
    item('purchaser.contracts.sign', 'purchaser', toSign, project, 'limit'),
    item('purchaser.deliveries.accept', 'purchaser', toAccept, project, 'limit'),
    item('purchaser.payments.returned', 'purchaser', paymentsReturned, project, null),
    item('purchaser.tenders.award', 'purchaser', toAward, { list: '/tenders', one: (id) => `/tenders/${id}` }, null),
    item('purchaser.framework.order', 'purchaser', toOrder, project, null),
  ];
}

async function financeItems(db: Knex, orgId: number, now: Date): Promise<WorkItem[]> {
  const [steps, waiting] = await Promise.all([
    approvalSteps(db, 'finance', orgId, now),
    // Raised at acceptance and sent to the treasury: not yet answered, or accepted and not yet paid.
    tally(db, db('payment_requests as pr').whereIn('pr.status', ['requested', 'accepted']), 'pr.id', now),
  ]);
  return [steps, item('finance.payments.waiting', 'finance', waiting, { list: '/payments' }, null)];
}

async function operatorItems(db: Knex, orgId: number, now: Date): Promise<WorkItem[]> {
  const day = beijingDay(now);
  const project = { list: '/procurement', one: (id: number) => `/projects/${id}` };
  const projects = (stages: string[]) => db('procurement_projects as p').whereIn('p.stage', stages).whereNotExists(liveTenderOf(db, 'p.id'));
  const [steps, reviews, changes, documents, opening, result, challenges, tenderDrafts, tenderOpening, today, suspended, auctionDrafts] = await Promise.all([
    approvalSteps(db, 'operator', orgId, now),
    tally(db, db('suppliers as s').where('s.status', 'pending'), 's.id', now),
    tally(db, db('supplier_change_requests as cr').where('cr.status', 'pending'), 'cr.supplier_id', now),
    // The procurement documents (or the justification of a single source) are the centre's next step;
    // for an invitational tender also once its suppliers are invited, or its prequalification has closed.
    tally(db, db('procurement_projects as p').whereNotExists(liveTenderOf(db, 'p.id')).where((w) => w.whereIn('p.stage', ['documents_prepared', 'suppliers_invited']).orWhere((x) => x.where('p.stage', 'prequalification').where('p.deadline_at', '<=', toDbTime(now)))), 'p.id', now),
    // A public tender run outside the e-tendering module: the centre records the bids received.
    tally(db, projects(['opening']), 'p.id', now),
    // Inquiry, negotiation (and a tender run outside the module): the result; single source: the negotiation.
    tally(db, projects(['evaluation', 'negotiation']), 'p.id', now),
    tally(db, db('project_challenges as ch').where('ch.status', 'open'), 'ch.project_id', now, { col: 'ch.reply_due_at', overdueCol: 'ch.overdue_at' }),
    tally(db, db('tenders as t').where('t.status', 'draft'), 't.id', now),
    tally(db, db('tenders as t').where('t.status', 'opening'), 't.id', now, { col: 't.decryption_ends_at' }),
    tally(db, db('auctions as a').whereIn('a.status', ['announced', 'running', 'suspended']).where('a.starts_at', '>=', toDbTime(day.from)).where('a.starts_at', '<', toDbTime(day.to)), 'a.id', now, { col: 'a.starts_at' }),
    tally(db, db('auctions as a').where('a.status', 'suspended'), 'a.id', now),
    tally(db, db('auctions as a').where('a.status', 'draft'), 'a.id', now),
  ]);
  const tender = { list: '/tenders', one: (id: number) => `/tenders/${id}` };
  const auction = { list: '/auctions', one: (id: number) => `/auctions/${id}` };
  return [
    steps,
    item('operator.suppliers.review', 'operator', reviews, { list: '/suppliers?status=pending', one: (id) => `/suppliers/${id}` }, null),
    item('operator.suppliers.changes', 'operator', changes, { list: '/suppliers?filter=pendingChanges', one: (id) => `/suppliers/${id}` }, null),
    item('operator.projects.documents', 'operator', documents, project, null),
    item('operator.projects.opening', 'operator', opening, project, null),
    item('operator.projects.result', 'operator', result, project, null),
    item('operator.challenges', 'operator', challenges, project, 'limit'),
    item('operator.tenders.draft', 'operator', tenderDrafts, tender, null),
    item('operator.tenders.opening', 'operator', tenderOpening, tender, 'limit'),
    // Starting today: the time is the earliest start, not a limit that can pass.
    item('operator.competitions.today', 'operator', today, auction, 'at'),
    item('operator.competitions.suspended', 'operator', suspended, auction, null),
    item('operator.competitions.draft', 'operator', auctionDrafts, auction, null),
  ];
}

async function supplierItems(deps: WorklistDeps, supplierId: number, now: Date): Promise<WorkItem[]> {
  const { db } = deps;
  const day = beijingDay(now);
  const nowDb = toDbTime(now);
  // Invitational tenders this supplier is invited to, open for bids, without its bid yet.
  const invitedProjects = ((await deps.mySupplierInvitations?.(db, supplierId)) ?? []).filter((m) => m.subjectType === 'project').map((m) => m.subjectId);
  const toBid = tally(db, db('tenders as t').whereIn('t.project_id', invitedProjects.length ? invitedProjects : [-1]).where('t.status', 'published').where('t.bid_deadline', '>', nowDb).whereNotExists(db('tender_bids as b0').whereRaw('b0.tender_id = t.id').where('b0.supplier_id', supplierId).where('b0.status', 'sealed').select(db.raw('1'))), 't.id', now, { col: 't.bid_deadline' });
  const joined = () => db('auctions as a').join('auction_participants as ap', 'ap.auction_id', 'a.id').where('ap.supplier_id', supplierId);
  const [running, today, decrypt, sign, explain, own, entries] = await Promise.all([
    tally(db, joined().whereIn('a.status', ['running', 'suspended']), 'a.id', now, { col: 'a.ends_at' }),
    tally(db, joined().where('a.status', 'announced').where('a.starts_at', '>=', toDbTime(day.from)).where('a.starts_at', '<', toDbTime(day.to)), 'a.id', now, { col: 'a.starts_at' }),
    // The opening session is running and this supplier's sealed bid waits for its key.
    tally(db, db('tender_bids as b').join('tenders as t', 't.id', 'b.tender_id').where('b.supplier_id', supplierId).where('b.status', 'sealed').where('t.status', 'opening').where('t.decryption_ends_at', '>', nowDb), 't.id', now, { col: 't.decryption_ends_at' }),
    tally(db, openStage(db('contracts as c').join('procurement_projects as p', 'p.id', 'c.project_id').where('c.supplier_id', supplierId).whereIn('c.status', ['drafted', 'purchaser_signed']), db, 'p.id', 'contract'), 'p.id', now, { col: 'ps.due_at', overdueCol: 'ps.overdue_at' }),
    // The committee asked for a written explanation of an abnormally low price.
    tally(db, db('tender_bids as b').join('tenders as t', 't.id', 'b.tender_id').where('b.supplier_id', supplierId).where('b.abnormal_status', 'explanation_requested').where('t.status', 'evaluation'), 't.id', now),
    tally(db, db('suppliers as s').where('s.id', supplierId).whereIn('s.status', ['more_info', 'rejected']), 's.id', now),
    // Entered a framework agreement and not yet signed it.
    tally(db, db('framework_entries as fe').join('framework_agreements as fa', 'fa.id', 'fe.agreement_id').where('fe.supplier_id', supplierId).whereNull('fe.signed_at').where('fa.status', 'entries_published'), 'fa.id', now),
  ]);
  const auction = { list: '/auctions', one: (id: number) => `/auctions/${id}` };
  const tender = { list: '/tenders', one: (id: number) => `/tenders/${id}` };
  return [
    item('supplier.invitations.bid', 'supplier', await toBid, tender, 'limit'),
    item('supplier.competitions.running', 'supplier', running, auction, 'at'),
    item('supplier.competitions.today', 'supplier', today, auction, 'at'),
    item('supplier.bids.decrypt', 'supplier', decrypt, tender, 'limit'),
    item('supplier.contracts.sign', 'supplier', sign, { list: '/projects', one: (id) => `/projects/${id}` }, 'limit'),
    item('supplier.explanations', 'supplier', explain, tender, null),
    item('supplier.application', 'supplier', own, { list: '/my-company' }, null),
    item('supplier.framework.sign', 'supplier', entries, { list: '/framework-agreements', one: (id) => `/framework-agreements/${id}` }, null),
  ];
}

async function expertItems(deps: WorklistDeps, userId: number, now: Date): Promise<WorkItem[]> {
  const { db } = deps;
  const expert = await db('experts').where({ user_id: userId }).first('id');
  if (!expert) return [];
  const expertId = Number(expert.id);
  const committee = (status: string) => db('tender_committee as m').join('tenders as t', 't.id', 'm.tender_id').where('m.expert_id', expertId).where('t.status', status);
  const [invitations, scoring, confirming] = await Promise.all([
    deps.myInvitations(db, expertId),
    tally(db, committee('evaluation').whereNull('m.scores_submitted_at'), 't.id', now),
    tally(db, committee('report_confirmation').whereNull('m.report_confirmed_at'), 't.id', now),
  ]);
  // Answerable: pending, in a draw still sealed, before the answer deadline.
  const open = invitations.filter((i) => i.status === 'pending' && i.drawStatus === 'sealed' && Date.parse(i.deadlineAt) > now.getTime());
  const earliest = open.map((i) => i.deadlineAt).sort()[0] ?? null;
  const tender = { list: '/tenders', one: (id: number) => `/tenders/${id}` };
  return [
    // An invitation past its deadline can no longer be answered, so none is ever overdue here.
    { key: 'expert.invitations', role: 'expert', count: open.length, href: '/my-invitations', dueAt: earliest },
    item('expert.evaluations', 'expert', scoring, tender, null),
    item('expert.reports', 'expert', confirming, tender, null),
  ];
}

async function supervisorItems(db: Knex, userId: number): Promise<WorkItem[]> {
  const rows = (await db('sv_alerts').whereNot('status', 'closed').groupBy('severity').select('severity').count({ n: '*' })) as Array<{ severity: string; n: number | string }>;
  const by = new Map(rows.map((r) => [r.severity, Number(r.n)]));
  const mine = Number((await db('sv_alerts').whereNot('status', 'closed').where('assigned_to', userId).count({ n: '*' }).first())?.n ?? 0);
  return [
    ...SEVERITIES.map((severity): WorkItem => ({ key: `supervisor.alerts.${severity}`, role: 'supervisor', count: by.get(severity) ?? 0, href: '/supervision/alerts', severity })),
    { key: 'supervisor.alerts.assigned', role: 'supervisor', count: mine, href: '/supervision/alerts' },
  ];
}

async function adminItems(db: Knex, now: Date): Promise<WorkItem[]> {
  // Payment messages to the finance bureau's system still waiting for delivery (none registered
  // a webhook, or its endpoint keeps failing): the platform's link with the treasury needs looking at.
  const outbox = await tally(db, db('finance_outbox as o').where('o.status', 'pending'), 'o.id', now);
  // Holiday calendars still computed (provisional) that should be confirmed now: this year, and
  // next year from 1 November; working-day deadlines counted over them are only provisional.
  const years = unconfirmedYears(await loadCalendar(db), now);
  return [
    { key: 'admin.calendar.confirm', role: 'admin', count: years.length, href: years.length ? `/calendar?year=${years[0]}` : '/calendar' },
    item('admin.finance.outbox', 'admin', outbox, { list: '/payments' }, null),
  ];
}

/** Every kind of work for each of the user's roles, in the order of their roles. */
export async function worklist(deps: WorklistDeps, user: SessionUser, now: Date): Promise<WorkItem[]> {
  const { db } = deps;
  const out: WorkItem[] = [];
  for (const role of user.roles) {
    switch (role) {
      case 'purchaser':
        if (user.orgId) out.push(...(await purchaserItems(db, user.orgId, now)));
        break;
      case 'approver':
        if (user.orgId) out.push(await approvalSteps(db, 'approver', user.orgId, now));
        break;
      case 'finance':
        if (user.orgId) out.push(...(await financeItems(db, user.orgId, now)));
        break;
      case 'operator':
        if (user.orgId) out.push(...(await operatorItems(db, user.orgId, now)));
        break;
      case 'supplier':
        if (user.supplierId) out.push(...(await supplierItems(deps, user.supplierId, now)));
        break;
      case 'expert':
        out.push(...(await expertItems(deps, user.id, now)));
        break;
      case 'supervisor':
        out.push(...(await supervisorItems(db, user.id)));
        break;
      case 'admin':
        out.push(...(await adminItems(db, now)));
        break;
    }
  }
  return out;
}
