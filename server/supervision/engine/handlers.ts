// What each rule does with an event: which data it gathers and which pure check it runs.
import { runCardinal, CARDINAL_CODES } from '../cardinal/indicators';
import type { CardinalSettings } from '../cardinal/ocds';
import { ocidOf, toOcds, type ProcessView } from '../sources/process-view';
import { afterOf, isoOfDb, orgOf, processKeyOf, type BusEvent } from '../sources/event-contract';
import type { ProcessSources } from '../sources';
import { orgOfEntity, requisitionFact } from '../sources/tables-source';

const isoLike = (v: unknown) => {
  const s = String(v);
  const d = new Date(/^\d{4}-\d\d-\d\d \d/.test(s) ? s.replace(' ', 'T') + 'Z' : s);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
};
import type { RuleSetting } from '../config/service';
import * as rules from '../rules/platform';
import * as evalRules from '../rules/evaluation';
import { evaluationTimeline } from '../evaluation/timeline';
import type { Db } from '../../db/knex';
import type { Knex } from 'knex';
import type { Finding } from '../rules/platform';
import { loadRuleBook, rule } from '../../core/rules/rule-book';
import { loadCalendar, type WorkingCalendar } from '../../core/rules/calendar';

export interface EvalContext {
  ev: BusEvent;
  now: Date;
  settings: Map<string, RuleSetting>;
  sources: ProcessSources;
  /** Cached per batch. */
  view(key: string): Promise<ProcessView | null>;
  population(): Promise<ProcessView[]>;
}
type Handler = (ctx: EvalContext, t: Record<string, any>) => Promise<Finding[]>;

export function cardinalSettings(settings: Map<string, RuleSetting>): CardinalSettings {
  const s: Record<string, unknown> = {};
  for (const code of CARDINAL_CODES) {
    const th = settings.get(code)?.thresholds ?? {};
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(th)) {
      if (v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)) continue;
      o[k] = v;
    }
    s[code] = o;
  }
  return s as CardinalSettings;
}

const processView = async (ctx: EvalContext) => {
  const key = await ctx.sources.keyOf(ctx.ev);
  return key ? ctx.view(key) : null;
};
const withView = (check: (v: ProcessView, t: any, ctx: EvalContext) => Finding[] | Promise<Finding[]>): Handler => async (ctx, t) => {
  const v = await processView(ctx);
  return v ? check(v, t, ctx) : [];
};
const label = (v: ProcessView) => v.title ?? v.key;
const supplierOfTenderer = (id: string) => id.replace(/^S/, '');

/** Indicators decided on the process alone. */
const cardinalProcess = (code: string): Handler =>
  withView((v, _t, ctx) => {
    const res = runCardinal([toOcds(v)], cardinalSettings(ctx.settings), [code]);
    const value = res.OCID[ocidOf(v.key)]?.[code];
    if (value === undefined) return [];
    return [{ subjectKey: v.key, subjectType: v.kind, subjectId: v.id, processKey: v.key, orgId: v.orgId, params: { process: label(v), value: round(value) }, evidence: { value, tenderers: Object.keys(res.Tenderer).map(supplierOfTenderer) } }];
  });

/** Indicators whose fences come from the whole population of processes. */
const cardinalPopulation = (code: string): Handler =>
  withView(async (v, _t, ctx) => {
    const population = (await ctx.population()).filter((p) => p.key !== v.key);
    population.push(v);
    // A fence estimated from a handful of processes says nothing: alert once the population is large enough.
    const fixed = ctx.settings.get(code)?.thresholds.threshold;
    if ((fixed === null || fixed === undefined) && population.length < Number(ctx.settings.get(code)?.thresholds.alertMinimumPopulation ?? 0)) return [];
    const res = runCardinal(population.map(toOcds), cardinalSettings(ctx.settings), [code]);
    const meta = res.Meta[code] ?? {};
    const out: Finding[] = [];
    const value = res.OCID[ocidOf(v.key)]?.[code];
    if (value !== undefined) out.push({ subjectKey: v.key, subjectType: v.kind, subjectId: v.id, processKey: v.key, orgId: v.orgId, params: { process: label(v), value: round(value) }, evidence: { value, meta, processes: population.length } });
    const year = ctx.now.getUTCFullYear();
    const tenderers = new Set(v.bids.map((b) => `S${b.supplierId}`).concat(v.awards.map((a) => `S${a.supplierId}`)));
    for (const [id, codes] of Object.entries(res.Tenderer)) {
      if (!tenderers.has(id) || codes[code] === undefined || value !== undefined) continue;
      if (code === 'R038' && codes[code] === 0) continue; // a zero ratio at a zero fence is not excessive
      out.push({ subjectKey: `supplier:${supplierOfTenderer(id)}:${year}`, subjectType: 'supplier', subjectId: supplierOfTenderer(id), processKey: v.key, orgId: v.orgId, params: { process: label(v), value: round(codes[code]) }, evidence: { value: codes[code], meta, processes: population.length } });
    }
    if (v.orgId !== null && res.Buyer[`U${v.orgId}`]?.[code] !== undefined && res.Buyer[`U${v.orgId}`][code] > 0) {
      const ratio = res.Buyer[`U${v.orgId}`][code];
      out.push({ subjectKey: `org:${v.orgId}:${year}`, subjectType: 'organisation', subjectId: String(v.orgId), processKey: v.key, orgId: v.orgId, params: { process: label(v), value: round(ratio) }, evidence: { value: ratio, meta, processes: population.length } });
    }
    return out;
  });

const round = (x: number) => Math.round(x * 10000) / 10000;

/**
 * The holiday calendar (official years, confirmed provisional years, the city's own days) for
 * rules that count working days, as the body counts them; read at most once a minute.
 */
let calendarCache: { at: number; db: Knex; cal: Promise<WorkingCalendar> } | null = null;
async function workingCalendar(db: Knex): Promise<WorkingCalendar> {
  if (!calendarCache || calendarCache.db !== db || Date.now() - calendarCache.at > 60_000) {
    const cal = loadCalendar(db);
    calendarCache = { at: Date.now(), db, cal };
    cal.catch(() => (calendarCache = null)); // a failed read is not kept
  }
  return calendarCache.cal;
}

/** The calendar changed (a city day set, a year confirmed), here or on another node: read it again. */
export function forgetWorkingCalendar(): void {
  calendarCache = null;
}

/** Rules decided on a process's current view: evaluated once per process per round. */
export const PROCESS_RULES = new Set(['R003', 'R018', 'R024', 'R025', 'R028', 'R030', 'R035', 'R036', 'R038', 'R048', 'R058', 'SV01', 'SV02', 'SV03', 'SV04', 'SV05', 'SV06', 'SV08', 'SV11']);

export const HANDLERS: Record<string, Handler> = {
  R003: cardinalProcess('R003'),
  R018: cardinalProcess('R018'),
  R024: cardinalPopulation('R024'),
  R025: cardinalPopulation('R025'),
  R028: cardinalProcess('R028'),
  R030: cardinalProcess('R030'),
  R035: cardinalProcess('R035'),
  R036: cardinalProcess('R036'),
  R038: cardinalPopulation('R038'),
  R048: cardinalPopulation('R048'),
  R058: cardinalPopulation('R058'),
  SV01: withView((v, t) => rules.singleBidder(v, t)),
  SV02: withView(async (v, t, ctx) => { const cal = await workingCalendar(ctx.sources.db); return rules.shortBiddingPeriod(v, t, (day) => cal.isWorkingDay(day)); }),
  SV03: withView((v, t) => rules.nearIdenticalPrices(v, t)),
  SV04: withView((v, t) => rules.sharedIpOrDevice(v, t)),
  SV05: withView((v, t) => rules.bidsUnderCeiling(v, t)),
  SV06: withView(async (v, t, ctx) => {
    const award = v.awards.find((a) => a.status === 'active');
    if (!award || v.orgId === null) return [];
    const awards = await ctx.sources.unitAwards(ctx.now, t.windowDays, await ctx.population());
    if (!awards.some((a) => a.processKey === v.key)) awards.push({ processKey: v.key, orgId: v.orgId, supplierId: award.supplierId, at: award.at ?? ctx.now.toISOString() });
    return rules.supplierConcentration(awards, v.orgId, award.supplierId, ctx.now, t as any);
  }),
  SV07: async (ctx, t) => {
    const a = afterOf(ctx.ev);
    const id = String(ctx.ev.entity_id);
    // The requisition that completes a split is the subject, whoever notices it first (the body or us).
    if (ctx.ev.action === 'requisition.split_suspected') {
      // The body reports the threshold it applied; without one, the rule book's goods/services value.
      t = { ...t, thresholdFen: t.thresholdFen ?? rule(await loadRuleBook(ctx.sources.db), 'publicTenderThresholdGoodsServicesFen') };
      const related = Array.isArray(a.relatedRequisitions) ? a.relatedRequisitions : Array.isArray(a.requisitionIds) ? a.requisitionIds : [];
      const orgId = orgOf(a) ?? (await orgOfEntity(ctx.sources.db, 'requisition', id, a));
      return [{ subjectKey: `requisition:${id}`, subjectType: 'requisition', subjectId: id, orgId, processKey: null, params: { count: related.length + 1, totalYuan: Number(a.combinedFen ?? a.totalFen ?? 0) / 100, thresholdYuan: Number(a.thresholdFen ?? t.thresholdFen) / 100, category: String(a.categoryCode ?? '') }, evidence: { reportedBy: 'workflow', ...a } }];
    }
    const fact = (await requisitionFact(ctx.sources.db, id)) ?? { id, orgId: orgOf(a), categoryCode: a.categoryCode ?? null, totalFen: Number(a.totalFen), at: isoOfDb(ctx.ev.occurred_at) };
    if (fact.orgId === null || !fact.categoryCode || !Number.isFinite(fact.totalFen)) return [];
    const latest = { id, orgId: fact.orgId, categoryCode: fact.categoryCode, totalFen: fact.totalFen, at: fact.at ?? isoOfDb(ctx.ev.occurred_at) };
    // Unset thresholds follow the city's rule book (the same numbers the body enforces).
    const book = await loadRuleBook(ctx.sources.db);
    const works = (await ctx.sources.db('catalogue_categories').where({ code: latest.categoryCode }).first('kind'))?.kind === 'works';
    const windowDays = t.windowDays ?? rule(book, 'splitWindowDays');
    const thresholdFen = t.thresholdFen ?? rule(book, works ? 'publicTenderThresholdWorksFen' : 'publicTenderThresholdGoodsServicesFen');
    const reqs = await ctx.sources.requisitions(latest.orgId, latest.categoryCode, new Date(Date.parse(latest.at) - windowDays * 86_400_000));
    return rules.requisitionSplit(reqs, latest, { windowDays, thresholdFen, minimumCount: t.minimumCount }).map((f) => ({ ...f, subjectKey: `requisition:${id}` }));
  },
  SV08: withView((v, t) => rules.amountMismatch(v, t)),
  SV09: async (ctx, t) => {
    const a = afterOf(ctx.ev);
    const dueMs = a.dueAt ? Date.parse(isoLike(a.dueAt)) : null;
    if (dueMs !== null && !Number.isNaN(dueMs) && ctx.now.getTime() - dueMs < t.graceHours * 3_600_000) return [];
    const step = String(a.step ?? a.stage ?? a.stepName ?? ctx.ev.entity_type);
    const orgId = orgOf(a) ?? (await orgOfEntity(ctx.sources.db, ctx.ev.entity_type, String(ctx.ev.entity_id), a));
    const due = a.dueAt ?? a.replyDueAt ?? null;
    // One alert per step (a challenge's reply is a step of its own).
    const which = a.challengeId !== undefined ? `:${a.challengeId}` : '';
    return [{ subjectKey: `${ctx.ev.entity_type}:${ctx.ev.entity_id}:${step}${which}`, subjectType: ctx.ev.entity_type, subjectId: String(ctx.ev.entity_id), orgId, processKey: await ctx.sources.keyOf(ctx.ev), params: { step, dueAt: due ? String(isoLike(due)) : '' }, evidence: a }];
  },
  SV10: async (ctx) => {
    const a = afterOf(ctx.ev);
    const orgId = orgOf(a) ?? (await orgOfEntity(ctx.sources.db, ctx.ev.entity_type, String(ctx.ev.entity_id), a));
    // An act: repeated attempts by the same user on the same data fold into one alert.
    const actorId = ctx.ev.actor_id === null || ctx.ev.actor_id === undefined ? null : Number(ctx.ev.actor_id);
    // Who it was, by name as well: the supervisor reads the evidence, not the users table.
    const actorName = actorId === null ? null : ((await ctx.sources.db('users').where({ id: actorId }).first('display_name'))?.display_name ?? null);
    return [{ subjectKey: `${ctx.ev.entity_type}:${ctx.ev.entity_id}`, actorId, subjectType: ctx.ev.entity_type, subjectId: String(ctx.ev.entity_id), orgId, processKey: processKeyOf(ctx.ev), params: { resource: `${ctx.ev.entity_type} #${ctx.ev.entity_id}`, actorRole: ctx.ev.actor_role }, evidence: { actorId: ctx.ev.actor_id, ...(actorName ? { actorName } : {}), actorRole: ctx.ev.actor_role, ip: ctx.ev.ip, ...a } }];
  },
  SV11: withView((v, t) => rules.abnormallyLowPrice(v, t)),
  SV12: async (ctx) => {
    const f = await evaluationFactsOf(ctx);
    return f ? withBidder(f, evalRules.scoredUnopened(f.tender, f.steps)) : [];
  },
  SV13: async (ctx) => {
    const f = await evaluationFactsOf(ctx);
    const named = (x: Finding) => ({ ...x, evidence: { ...x.evidence, changes: (x.evidence.changes as Array<{ criterion: string }>).map((c) => ({ ...c, criterion: f!.criterionNames[c.criterion] ?? c.criterion })) } });
    return f ? withBidder(f, evalRules.scoreChangedAfterSubmission(f.tender, f.steps).map(named)) : [];
  },
  SV14: async (ctx, t) => {
    const f = await evaluationFactsOf(ctx);
    // The alert names the criterion as the tender's documents do; the evidence keeps its key.
    return f ? withBidder(f, evalRules.outlierScores(f.tender, f.sheets, f.weights, t as any).map((x) => ({ ...x, params: { ...x.params, criterion: f.criterionNames[String(x.params.criterion)] ?? x.params.criterion }, evidence: { ...x.evidence, criterion: f.criterionNames[String(x.evidence.criterion)] ?? x.evidence.criterion } }))) : [];
  },
  SV15: async (ctx, t) => {
    const f = await evaluationFactsOf(ctx);
    return f ? evalRules.implausiblyFastCommittee(f.tender, f.steps, f.docs, t as any) : [];
  },
  SV20: async (ctx, t) => {
    const a = afterOf(ctx.ev);
    const projectId = String(ctx.ev.entity_id);
    const orgId = orgOf(a) ?? (await orgOfEntity(ctx.sources.db, 'project', projectId, a));
    return rules.frameworkDirectAboveLowest({ projectId, orgId, mode: String(a.mode ?? ''), amountFen: Number(a.amountFen ?? 0), lowestFen: Number(a.lowestFen ?? 0), agreementRef: String(a.agreementRef ?? ''), supplierId: a.supplierId === undefined ? null : Number(a.supplierId) }, t as any);
  },
};

/** One read of an evaluation's facts per event: SV12 and SV13 share a score event, SV14 and SV15 the result. */
const factsByEvent = new WeakMap<EvalContext, ReturnType<typeof evaluationFacts>>();
function evaluationFactsOf(ctx: EvalContext): ReturnType<typeof evaluationFacts> {
  let facts = factsByEvent.get(ctx);
  if (!facts) factsByEvent.set(ctx, (facts = evaluationFacts(ctx.sources.db, Number(ctx.ev.entity_id))));
  return facts;
}

/** The alert names the bidder (after the opening its name is public), not the bid's row id. */
const withBidder = (f: { bidders: Map<number, string> }, findings: Finding[]) =>
  findings.map((x) => ({ ...x, params: { ...x.params, bidder: f.bidders.get(Number(x.params.bidId)) ?? String(x.params.bidId) } }));

/**
 * What the evaluation rules read of one tender: its timeline (from the audit trail), the members'
 * score sheets, the scored criteria's weights, and the size of the bids the committee evaluated.
 */
async function evaluationFacts(db: Knex, tenderId: number) {
  if (!Number.isInteger(tenderId)) return null;
  const row = await db('tenders').where({ id: tenderId }).first('id', 'title', 'purchasing_org_id', 'criteria_json');
  if (!row) return null;
  const tender: evalRules.EvalTender = { tenderId, title: row.title, orgId: row.purchasing_org_id === null ? null : Number(row.purchasing_org_id) };
  const { entries } = await evaluationTimeline(db as Db, tenderId);
  const sheets: any[] = await db('tender_scores as s').join('experts as e', 'e.id', 's.expert_id').where('s.tender_id', tenderId).select('s.expert_id', 's.bid_id', 's.scores_json', 'e.name');
  const weights: Record<string, number> = {};
  const criterionNames: Record<string, string> = {};
  for (const c of JSON.parse(row.criteria_json) as Array<{ key: string; kind: string; weight: number; name: string }>) {
    if (c.kind !== 'price') weights[c.key] = c.weight;
    criterionNames[c.key] = c.name;
  }
  // The documents the committee had to read: every bid it evaluated (valid or disqualified in evaluation).
  const bids: any[] = await db('tender_bids as b').leftJoin('suppliers as s', 's.id', 'b.supplier_id').where('b.tender_id', tenderId).whereIn('b.status', ['decrypted', 'disqualified', 'valid']).whereNotNull('b.opened_json').select('b.id', 'b.opened_json', 's.name');
  const names = new Map(sheets.map((r) => [Number(r.expert_id), r.name as string]));
  return {
    tender,
    steps: entries.map((e) => ({ ...e, actorName: e.expertId !== null ? (names.get(e.expertId) ?? e.actorName) : e.actorName })),
    sheets: sheets.map((r) => ({ expertId: Number(r.expert_id), expertName: r.name, bidId: Number(r.bid_id), scoresMilli: JSON.parse(r.scores_json) })),
    weights,
    criterionNames,
    bidders: new Map(bids.map((b) => [Number(b.id), String(b.name ?? b.id)])),
    docs: { bids: bids.length, bytes: bids.reduce((n, b) => n + Buffer.byteLength(String(b.opened_json)), 0) },
  };
}
