// HTTP for supplier invitations: the procurement centre draws (or prequalifies) the suppliers of an
// invitational tender; each invited supplier sees its own invitation; the public sees the draw's
// commitment when drawn and everything, verifiable, after the bids close; nobody reads the list before.
import type { Knex } from 'knex';
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { toDbTime, fromDbTime, isoFromDb, type Clock } from '../../db/time';
import { defineRoutes } from '../../http/routes';
import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { assertSupplierMayAct } from '../suppliers/eligibility';
import * as projects from '../../core/projects/service';
import { loadRuleBook, rule } from '../../core/rules/rule-book';
import { addDays } from '../../core/rules/calendar';
import { publishNotice } from '../../core/notices/service';
import { verifyPublicDraw } from '../draws/selection';
import { nodeHashes } from '../draws/seal';
import type { InvitationService, SupplierDrawRow } from './service';
import * as s from './schemas';

const TAG = 'supplier invitations';
const STAFF = ['operator', 'supervisor', 'admin'] as const;
export const projectSubject = (p: { id: number; ref: string }) => ({ type: 'project', id: p.id, ref: p.ref });

export function invitationRoutes(db: Db, inv: InvitationService, clock: Clock) {
  // Reads through the caller's transaction when there is one (SQLite has one connection).
  const invitational = async (id: number, q: Knex = db) => {
    const p = await projects.projectForExecution(q, id);
    if (p.method !== 'invitational_tender') throw new RuleError('PROJECT_NOT_INVITATIONAL', `Project ${p.ref} is procured by ${p.method}, not invitational tender`);
    return p;
  };
  return defineRoutes([
    {
      method: 'post',
      path: '/api/projects/:id/invitations/draw',
      tag: TAG,
      summary: 'Invitational tender: draw the invited suppliers at random from the qualified suppliers of the category (commitment published, list sealed until the bids close)',
      roles: ['operator'],
      params: s.idParams,
      body: s.invitationDrawBody,
      handler: async ({ actor, params, body }) =>
        withTx(db, async (tx) => {
          const p = await invitational(params.id, tx);
          const book = await loadRuleBook(tx);
          const min = rule(book, 'invitationalTenderMinimumInvited');
          if (body.count < min) throw new RuleError('TOO_FEW_INVITED', `An invitational tender invites at least ${min} suppliers`, { min, source: book.invitationalTenderMinimumInvited.source });
          // Until the tender is published its deadline is unknown: the earliest legal one holds the seal meanwhile.
          const revealAt = body.revealAt ? new Date(body.revealAt) : addDays(clock.now(), rule(book, 'tenderBiddingPeriodDays'));
          const draw = await inv.drawSuppliers(tx, { subject: projectSubject(p), categoryCode: p.categoryCode, count: body.count, excludeSupplierIds: body.excludeSupplierIds, revealAt }, actor);
          await projects.recordInvitations(tx, actor, p.id, { source: 'draw', invited: body.count, drawId: draw.id });
          return draw;
        }),
    },
    {
      method: 'get',
      path: '/api/projects/:id/invitations',
      tag: TAG,
      summary: "A project's invitations as the centre sees them before the bids close: how many, by which way, the draws' commitments (never who)",
      roles: [...STAFF, 'purchaser'],
      params: s.idParams,
      handler: async ({ params, user }) => {
        const p = await invitational(params.id);
        if (user!.roles.includes('purchaser') && !user!.roles.some((r) => (STAFF as readonly string[]).includes(r)) && user!.orgId !== p.orgId) throw new NotFoundError('Project not found', null, 'PROJECT_NOT_FOUND');
        const draws: SupplierDrawRow[] = await db('supplier_draws').where({ subject_type: 'project', subject_id: p.id }).orderBy('id');
        const prequal = await db('prequalification_applications').where({ project_id: p.id }).select('status');
        return {
          projectId: p.id,
          invitedCount: await inv.invitedCount(db, projectSubject(p)),
          draws: draws.map((d) => inv.publicRecord(d)),
          prequalification: { applied: prequal.length, qualified: prequal.filter((a: any) => a.status === 'qualified').length, rejected: prequal.filter((a: any) => a.status === 'rejected').length },
        };
      },
    },
    {
      method: 'get',
      path: '/api/projects/:id/invitations/list',
      tag: TAG,
      summary: 'Who was invited: 403 INVITATIONS_SEALED for every role until the bids close (the attempt is audited)',
      roles: [...STAFF, 'purchaser', 'supplier', 'finance'],
      params: s.idParams,
      handler: async ({ params, actor }) => inv.invitedList(db, actor, projectSubject(await invitational(params.id))),
    },
    {
      method: 'get',
      path: '/api/my/supplier-invitations',
      tag: TAG,
      summary: "The supplier's own invitations (to invitational tenders and other invited procedures), with the tender to bid in",
      roles: ['supplier'],
      handler: async ({ user }) => {
        if (!user!.supplierId) throw new ForbiddenError('This account does not act for a supplier', null, 'NOT_A_SUPPLIER_ACCOUNT');
        const mine = await inv.myInvitations(db, user!.supplierId);
        const projectIds = mine.filter((m) => m.subjectType === 'project').map((m) => m.subjectId);
        const ps = new Map((await db('procurement_projects').whereIn('id', projectIds.length ? projectIds : [-1]).select('id', 'ref', 'title', 'stage', 'deadline_at')).map((p: any) => [Number(p.id), p]));
        const ts = new Map((await db('tenders').whereIn('project_id', projectIds.length ? projectIds : [-1]).whereNotIn('status', ['draft', 'cancelled']).select('id', 'project_id', 'reference', 'status', 'bid_deadline')).map((t: any) => [Number(t.project_id), t]));
        return {
          items: mine.map((m) => {
            const p = ps.get(m.subjectId);
            const t = ts.get(m.subjectId);
            return { ...m, projectRef: p?.ref ?? null, title: p?.title ?? null, stage: p?.stage ?? null, tenderId: t ? Number(t.id) : null, tenderReference: t?.reference ?? null, tenderStatus: t?.status ?? null, bidDeadline: t ? isoFromDb(t.bid_deadline) : null };
          }),
        };
      },
    },
    {
      method: 'get',
      path: '/api/public/supplier-draws/:id',
      tag: TAG,
      summary: 'One supplier draw: commitment and keyed pool hash when drawn; secret, seed, pool and result after the reveal',
      roles: 'public',
      params: s.idParams,
      handler: async ({ params }) => inv.publicRecord(await inv.loadDraw(db, params.id)),
    },
    {
      method: 'get',
      path: '/api/public/supplier-draws/:id/verify',
      tag: TAG,
      summary: 'Recomputes a revealed supplier draw from its public record (the same check npm run draw:verify -- --suppliers <id> runs)',
      roles: 'public',
      params: s.idParams,
      handler: async ({ params }) => {
        const d = await inv.loadDraw(db, params.id);
        if (d.status !== 'revealed') throw new ConflictError('SUPPLIER_DRAW_SEALED', 'The draw is sealed until the bids close: only its commitment is published', { revealAt: isoFromDb(d.reveal_at) });
        return { drawId: d.id, ...verifyPublicDraw(inv.publicRecord(d), nodeHashes) };
      },
    },
    // Prequalification
    {
      method: 'get',
      path: '/api/prequalifications',
      tag: TAG,
      summary: 'Open prequalifications (invitational tenders taking applications), and whether this supplier has applied',
      roles: ['supplier'],
      handler: async ({ user }) => {
        const rows = await db('procurement_projects').where({ method: 'invitational_tender', stage: 'prequalification' }).where('deadline_at', '>', toDbTime(clock.now())).orderBy('deadline_at').select('id', 'ref', 'title', 'deadline_at');
        const mine = new Set((await db('prequalification_applications').where({ supplier_id: user!.supplierId ?? -1 }).pluck('project_id')).map(Number));
        return { items: rows.map((r: any) => ({ projectId: Number(r.id), ref: r.ref, title: r.title, deadlineAt: isoFromDb(r.deadline_at), applied: mine.has(Number(r.id)) })) };
      },
    },
    {
      method: 'post',
      path: '/api/projects/:id/prequalification',
      tag: TAG,
      summary: 'Invitational tender by prequalification: publish the notice with its conditions and application deadline (at least prequalificationNoticeWorkingDays)',
      roles: ['operator'],
      params: s.idParams,
      body: s.prequalificationBody,
      handler: async ({ actor, params, body }) =>
        withTx(db, async (tx) => {
          const p = await invitational(params.id, tx);
          const moved = await projects.openPrequalification(tx, actor, p.id, { deadlineAt: body.deadlineAt });
          const full = await tx('procurement_projects').where({ id: p.id }).first('title', 'org_id', 'budget_fen');
          const deadline = fromDbTime(moved.deadline_at)!.toISOString();
          await publishNotice(tx, actor, {
            kind: 'other',
            titleZh: `${full.title}资格预审公告`,
            titleEn: `Prequalification notice: ${full.title}`,
            bodyZh: `项目 ${p.ref}（邀请招标）资格预审。申请条件：${body.conditions}。申请截止时间：${deadline}。`,
            bodyEn: `Project ${p.ref} (invitational tender): prequalification. Conditions: ${body.conditions}. Applications until ${deadline}.`,
            orgId: full.org_id,
            categoryCode: p.categoryCode,
            method: 'invitational_tender',
            amountFen: Number(full.budget_fen),
            projectRef: p.ref,
            sourceType: 'prequalification',
            sourceId: p.id,
          });
          return { projectId: p.id, stage: moved.stage, deadlineAt: deadline };
        }),
    },
    {
      method: 'post',
      path: '/api/projects/:id/prequalification/apply',
      tag: TAG,
      summary: 'A supplier applies to a prequalification before its deadline',
      roles: ['supplier'],
      params: s.idParams,
      body: s.applyBody,
      handler: async ({ actor, params, body, user }) =>
        withTx(db, async (tx) => {
          const supplierId = user!.supplierId;
          if (!supplierId) throw new ForbiddenError('This account does not act for a supplier', null, 'NOT_A_SUPPLIER_ACCOUNT');
          const p = await projects.loadProject(tx, params.id);
          if (p.method !== 'invitational_tender' || p.stage !== 'prequalification') throw new ConflictError('PREQUALIFICATION_NOT_OPEN', 'This project takes no prequalification applications now');
          if (clock.now() >= fromDbTime(p.deadline_at)!) throw new RuleError('PREQUALIFICATION_CLOSED', 'The application deadline has passed');
          await assertSupplierMayAct(tx, supplierId, clock.now(), 'register_for_tender');
          if (await tx('prequalification_applications').where({ project_id: p.id, supplier_id: supplierId }).first('id')) throw new ConflictError('ALREADY_APPLIED', 'You have applied already');
          const [id] = await tx('prequalification_applications').insert({ project_id: p.id, supplier_id: supplierId, statement: body.statement, status: 'applied', applied_at: toDbTime(clock.now()) });
          await record(tx, actor, { action: 'prequalification.applied', entityType: 'project', entityId: p.id, after: { application: Number(id), supplierId } });
          return { id: Number(id), status: 'applied' };
        }),
    },
    {
      method: 'get',
      path: '/api/projects/:id/prequalification/applications',
      tag: TAG,
      summary: 'The applications to a prequalification (the procurement centre qualifies them)',
      roles: STAFF,
      params: s.idParams,
      handler: async ({ params }) => ({
        items: (await db('prequalification_applications as a').join('suppliers as s', 's.id', 'a.supplier_id').where({ 'a.project_id': params.id }).orderBy('a.id').select('a.*', 's.name')).map((a: any) => ({ id: a.id, supplierId: a.supplier_id, name: a.name, statement: a.statement, status: a.status, reason: a.reason, appliedAt: isoFromDb(a.applied_at), decidedAt: isoFromDb(a.decided_at) })),
      }),
    },
    {
      method: 'post',
      path: '/api/projects/:id/prequalification/applications/:supplierId/decision',
      tag: TAG,
      summary: 'Qualify or reject an applicant (with the reason for a rejection)',
      roles: ['operator'],
      params: s.applicationParams,
      body: s.decisionBody,
      status: 200,
      handler: async ({ actor, params, body }) =>
        withTx(db, async (tx) => {
          const a = await tx('prequalification_applications').where({ project_id: params.id, supplier_id: params.supplierId }).first();
          if (!a) throw new NotFoundError('Application not found', null, 'APPLICATION_NOT_FOUND');
          if (a.status !== 'applied') throw new ConflictError('APPLICATION_DECIDED', `The application was already ${a.status}`);
          if (!body.qualified && !body.reason?.trim()) throw new RuleError('REASON_REQUIRED', 'A rejection gives its reason');
          const status = body.qualified ? 'qualified' : 'rejected';
          await tx('prequalification_applications').where({ id: a.id }).update({ status, reason: body.reason ?? null, decided_at: toDbTime(clock.now()), decided_by: actor.userId });
          await record(tx, actor, { action: `prequalification.${status}`, entityType: 'project', entityId: params.id, after: { application: a.id, supplierId: a.supplier_id, reason: body.reason ?? null } });
          return { id: a.id, status };
        }),
    },
    {
      method: 'post',
      path: '/api/projects/:id/prequalification/invite',
      tag: TAG,
      summary: 'After the deadline: invite every qualified applicant (at least invitationalTenderMinimumInvited), sealed until the bids close',
      roles: ['operator'],
      params: s.idParams,
      status: 200,
      handler: async ({ actor, params }) =>
        withTx(db, async (tx) => {
          const p = await invitational(params.id, tx);
          const pending = await tx('prequalification_applications').where({ project_id: p.id, status: 'applied' }).first('id');
          if (pending) throw new ConflictError('APPLICATIONS_UNDECIDED', 'Every application is qualified or rejected first');
          const qualified = (await tx('prequalification_applications').where({ project_id: p.id, status: 'qualified' }).pluck('supplier_id')).map(Number);
          const book = await loadRuleBook(tx);
          const revealAt = addDays(clock.now(), rule(book, 'tenderBiddingPeriodDays'));
          // Counted first: too few qualified writes nothing (the operator then fails the project or re-runs it).
          if (qualified.length < rule(book, 'invitationalTenderMinimumInvited')) await projects.recordInvitations(tx, actor, p.id, { source: 'prequalification', invited: qualified.length });
          await inv.inviteListed(tx, { subject: projectSubject(p), supplierIds: qualified, revealAt }, actor);
          await projects.recordInvitations(tx, actor, p.id, { source: 'prequalification', invited: qualified.length });
          return { projectId: p.id, invited: qualified.length };
        }),
    },
  ]);
}
