// Framework-agreement procurement (框架协议采购, MOF Order No. 110).
// First stage (the procurement centre): a call for entry with items and ceiling prices, sealed
// responses until the deadline, the opening, the evaluation (price or quality priority with the
// elimination rule), the entry notice, and each entry supplier's signature.
// Second stage (a purchasing unit): an order from an approved requisition of method
// framework_order, by direct selection, by rotation, or by a second competition on the live
// auction engine; the result goes through recordAward like any other, so the budget, the contract,
// acceptance and payment follow the existing workflow.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { withTx, type Tx } from '../../db/tx';
import { forUpdate, type Db } from '../../db/knex';
import { toDbTime, fromDbTime, chinaDayEnd } from '../../db/time';
import { systemActor, type Actor } from '../../http/actor';
import type { SessionUser } from '../../http/auth/sessions';
import { ConflictError, ForbiddenError, NotFoundError, RuleError, ValidationError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { loadRuleBook, rule } from '../../core/rules/rule-book';
import { addDays } from '../../core/rules/calendar';
import { publishNotice } from '../../core/notices/service';
import * as projects from '../../core/projects/service';
import { assertSupplierMayAct } from '../suppliers/eligibility';
import { supplierCategories, suppliesBrand } from '../auctions/repository';
import { createSealer } from '../draws/seal';
import { parseEnvelope } from '../../../client/src/views/tendering/sealing';
import { openResponse, type ResponsePlaintext } from '../../../client/src/views/framework/sealing';
import type { Scheduler } from '../../scheduler/scheduler';
import type { AuctionService } from '../auctions/service';
import { assertMove } from './state-machine';
import { effectiveStatus, orderValueFen, rotationPick, selectEntries, termMonths, type EvaluationMethod, type OrderMode } from './rules';
import * as repo from './repository';
import { publishAgreementReleases } from '../../supervision/ocds/framework';

export const OPEN_JOB = 'framework.open_responses';
// Short: 'system:<job>' is the audit's actor_role (32 characters).
export const CLOSE_KEYS_JOB = 'framework.close_keys';
const closeKeysJobKey = (id: number) => `framework:${id}:close-keys`;
/** An opened response, sealed again to its row until the key window closes. */
const openedCtx = (responseId: number) => `framework-response:${responseId}:opened`;

export interface FrameworkDeps {
  db: Db;
  sealKey: string;
  scheduler: Scheduler;
  auctions: () => AuctionService;
}

export interface CallInput {
  title: string;
  categoryCode: string;
  evaluationMethod: EvaluationMethod;
  entryConditions: string;
  secondStageModes: OrderMode[];
  termStart: string;
  termEnd: string;
  items: Array<{ categoryCode: string; name: string; specification: string; unit: string; maxPriceFen: number }>;
}

export interface ResponseInput {
  items: Array<{ itemId: number; unitPriceFen: number; brand: string; model: string }>;
  statement: string;
}

const today = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

async function lockAgreement(tx: Tx, id: number) {
  const a = await forUpdate(tx, tx('framework_agreements').where({ id })).first();
  if (!a) throw new NotFoundError(`Framework agreement ${id} not found`, null, 'AGREEMENT_NOT_FOUND');
  return a;
}

async function moveAgreement(tx: Tx, actor: Actor, a: any, to: Parameters<typeof assertMove>[1], patch: Record<string, unknown> = {}, note: Record<string, unknown> = {}) {
  assertMove(a.status, to);
  const n = await tx('framework_agreements').where({ id: a.id, version: a.version }).update({ ...patch, status: to, version: a.version + 1, updated_at: toDbTime(actor.clock.now()) });
  if (n !== 1) throw new ConflictError('AGREEMENT_CHANGED', 'The agreement changed meanwhile; reload and retry');
  await record(tx, actor, { action: `framework.${to === 'calling' ? 'call_published' : to === 'opening' ? 'key_window_opened' : to === 'evaluation' ? 'responses_opened' : to === 'entries_published' ? 'entries_published' : to === 'active' ? 'agreement_active' : 'call_failed'}`, entityType: 'framework_agreement', entityId: a.id, before: { status: a.status }, after: { status: to, ref: a.ref, ...note } });
}

// ---- first stage: the call for entry ---------------------------------------------------------

export async function createCall(tx: Tx, actor: Actor, input: CallInput): Promise<number> {
  const cat = await tx('catalogue_categories').where({ code: input.categoryCode }).first();
  if (!cat) throw new RuleError('UNKNOWN_CATEGORY', `No catalogue category ${input.categoryCode}`);
  if (cat.kind === 'works') throw new RuleError('FRAMEWORK_NOT_FOR_WORKS', 'Framework agreements are for goods and services');
  for (const it of input.items) {
    if (!it.categoryCode.startsWith(input.categoryCode)) throw new RuleError('ITEM_OUTSIDE_CATEGORY', `Item ${it.name} is not in category ${input.categoryCode}`, { categoryCode: it.categoryCode });
  }
  const book = await loadRuleBook(tx);
  const key = cat.kind === 'goods' ? 'frameworkMaxTermMonthsGoods' : 'frameworkMaxTermMonthsServices';
  const months = termMonths(input.termStart, input.termEnd);
  if (input.termEnd < input.termStart) throw new RuleError('TERM_ENDS_BEFORE_START', 'The agreement ends before it starts');
  if (months > rule(book, key)) throw new RuleError('TERM_TOO_LONG', `A ${cat.kind} framework agreement runs at most ${rule(book, key)} months`, { months, maxMonths: rule(book, key), source: book[key].source });
  const now = actor.clock.now();
  const year = Number(today(now).slice(0, 4));
  const prefix = `KJXY-${year}-`;
  const last = await tx('framework_agreements').where('ref', 'like', `${prefix}%`).max({ m: 'ref' }).first();
  const ref = `${prefix}${String((last?.m ? Number(String(last.m).slice(prefix.length)) : 0) + 1).padStart(4, '0')}`;
  const [id] = await tx('framework_agreements').insert({
    ref,
    title: input.title,
    category_code: input.categoryCode,
    category_kind: cat.kind,
    evaluation_method: input.evaluationMethod,
    entry_conditions: input.entryConditions,
    second_stage_modes: [...new Set(input.secondStageModes)].join(','),
    term_start: input.termStart,
    term_end: input.termEnd,
    status: 'draft',
    created_by: actor.userId,
    created_at: toDbTime(now),
    updated_at: toDbTime(now),
  });
  const aid = Number(id);
  await tx('framework_agreement_items').insert(input.items.map((it, i) => ({ agreement_id: aid, line_no: i + 1, category_code: it.categoryCode, name: it.name, specification: it.specification, unit: it.unit, max_price_fen: it.maxPriceFen })));
  await record(tx, actor, { action: 'framework.call_drafted', entityType: 'framework_agreement', entityId: aid, after: { ref, title: input.title, categoryCode: input.categoryCode, evaluationMethod: input.evaluationMethod, termStart: input.termStart, termEnd: input.termEnd, items: input.items.length, modes: input.secondStageModes } });
  return aid;
}

/** The call for entry is published with its response deadline (at least the rule book's days). */
export async function publishCall(tx: Tx, actor: Actor, scheduler: Scheduler, id: number, input: { responseDeadline: string }) {
  const a = await lockAgreement(tx, id);
  const book = await loadRuleBook(tx);
  const now = actor.clock.now();
  const deadline = new Date(input.responseDeadline);
  const days = rule(book, 'frameworkResponsePeriodDays');
  if (deadline < addDays(now, days)) throw new RuleError('RESPONSE_PERIOD_TOO_SHORT', `At least ${days} days from the call for entry to the response deadline`, { minDays: days, source: book.frameworkResponsePeriodDays.source, earliestDeadline: addDays(now, days).toISOString() });
  if (today(deadline) >= a.term_start) throw new RuleError('DEADLINE_AFTER_TERM_START', 'Responses close before the agreement starts', { termStart: a.term_start });
  await moveAgreement(tx, actor, a, 'calling', { response_deadline: toDbTime(deadline), call_published_at: toDbTime(now) }, { responseDeadline: deadline.toISOString() });
  await scheduler.schedule(tx, { kind: OPEN_JOB, key: `framework:${id}:open`, runAt: deadline, payload: { agreementId: id } });
  const items = await tx('framework_agreement_items').where({ agreement_id: id }).orderBy('line_no');
  const method = { price_priority: ['价格优先法', 'price priority'], quality_priority: ['质量优先法', 'quality priority'] }[a.evaluation_method as EvaluationMethod];
  await publishNotice(tx, actor, {
    kind: 'tender',
    titleZh: `${a.title}框架协议采购征集公告（${a.ref}）`,
    titleEn: `Call for entry to the framework agreement: ${a.title} (${a.ref})`,
    bodyZh: `征集人：市政府采购中心。品目 ${a.category_code}；入围方法：${method[0]}；框架协议期限 ${a.term_start} 至 ${a.term_end}；响应文件提交截止时间 ${deadline.toISOString()}（北京时间见门户）。入围条件：${a.entry_conditions}。采购项目 ${items.length} 项，各项设最高限制单价。`,
    bodyEn: `Issued by the city procurement centre. Category ${a.category_code}; entry by ${method[1]}; agreement term ${a.term_start} to ${a.term_end}; responses close ${deadline.toISOString()}. Entry conditions: ${a.entry_conditions}. ${items.length} item(s), each with a maximum unit price.`,
    categoryCode: a.category_code,
    method: 'framework_agreement',
    sourceType: 'framework_agreement',
    sourceId: a.id,
  });
  await publishAgreementReleases(tx, actor, id);
}

/**
 * A supplier's response, sealed in its browser with the tendering envelope under a key only the
 * supplier holds (key file or passphrase): the server keeps the envelope and the digest of the
 * plaintext (the receipt) and cannot read it. Replaced or withdrawn until the deadline.
 */
export async function submitResponse(tx: Tx, actor: Actor, supplierId: number, id: number, input: { envelope: string; digest: string }) {
  if (!parseEnvelope(input.envelope)) throw new ValidationError('The sealed envelope is not in the expected form', null, 'MALFORMED_ENVELOPE');
  const a = await lockAgreement(tx, id);
  const now = actor.clock.now();
  if (a.status !== 'calling') throw new ConflictError('AGREEMENT_WRONG_STATE', 'The agreement is not taking responses', { status: a.status });
  if (now >= fromDbTime(a.response_deadline)!) throw new RuleError('RESPONSE_DEADLINE_PASSED', 'The response deadline has passed (server time)', { deadline: fromDbTime(a.response_deadline)!.toISOString() });
  await assertSupplierMayAct(tx, supplierId, now, 'submit_bid');
  const envelopeDigest = crypto.createHash('sha256').update(input.envelope, 'utf8').digest('hex');
  const receiptNo = `${a.ref}-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
  const row = { receipt_no: receiptNo, sealed: input.envelope, envelope_sha256: envelopeDigest, digest: input.digest, status: 'sealed', key_attempts: 0, opened_sealed: null, opened_json: null, valid: null, invalid_reason: null, total_fen: null, submitted_at: toDbTime(now), updated_at: toDbTime(now) };
  const previous = await tx('framework_responses').where({ agreement_id: id, supplier_id: supplierId }).first();
  if (previous) await tx('framework_responses').where({ id: previous.id }).update(row);
  else await tx('framework_responses').insert({ agreement_id: id, supplier_id: supplierId, ...row });
  await record(tx, actor, { action: 'framework.response_sealed', entityType: 'framework_agreement', entityId: id, after: { supplierId, receiptNo, digest: input.digest, envelopeDigest, replacedReceiptNo: previous?.status === 'sealed' ? previous.receipt_no : null } });
  return { agreementId: id, receiptNo, digest: input.digest, envelopeDigest, serverTime: now.toISOString() };
}

export async function withdrawResponse(tx: Tx, actor: Actor, supplierId: number, id: number) {
  const a = await lockAgreement(tx, id);
  if (a.status !== 'calling' || actor.clock.now() >= fromDbTime(a.response_deadline)!) throw new RuleError('RESPONSE_DEADLINE_PASSED', 'Responses can be withdrawn only before the deadline');
  const n = await tx('framework_responses').where({ agreement_id: id, supplier_id: supplierId, status: 'sealed' }).update({ status: 'withdrawn', updated_at: toDbTime(actor.clock.now()) });
  if (n !== 1) throw new NotFoundError('No sealed response of yours', null, 'RESPONSE_NOT_FOUND');
  await record(tx, actor, { action: 'framework.response_withdrawn', entityType: 'framework_agreement', entityId: id, after: { supplierId } });
}

/**
 * The opening, at the deadline (the job, or the operator after it): too few responders fail the
 * call; otherwise the key window opens, in which each responder hands in the key of its own
 * response (as tender bidders do). Nothing is decrypted here: the platform has no key.
 */
export async function openResponses(tx: Tx, actor: Actor, scheduler: Scheduler, id: number) {
  const a = await lockAgreement(tx, id);
  if (a.status !== 'calling') throw new ConflictError('AGREEMENT_WRONG_STATE', 'The responses are not waiting to be opened', { status: a.status });
  const now = actor.clock.now();
  if (now < fromDbTime(a.response_deadline)!) throw new RuleError('DEADLINE_NOT_REACHED', 'Responses are opened at the deadline', { deadlineAt: fromDbTime(a.response_deadline)!.toISOString() });
  const book = await loadRuleBook(tx);
  const responders = Number((await tx('framework_responses').where({ agreement_id: id, status: 'sealed' }).count({ n: '*' }).first())?.n ?? 0);
  const min = rule(book, 'frameworkMinimumResponders');
  if (responders < min) {
    await moveAgreement(tx, actor, a, 'failed', { opened_at: toDbTime(now), failure_reason: `TOO_FEW_RESPONDERS: ${responders} < ${min}` }, { responses: responders, minimum: min });
    await failureNotice(tx, actor, a, responders);
    await publishAgreementReleases(tx, actor, id);
    return;
  }
  const endsAt = new Date(now.getTime() + rule(book, 'frameworkKeyWindowMinutes') * 60_000);
  await moveAgreement(tx, actor, a, 'opening', { opened_at: toDbTime(now), key_window_ends_at: toDbTime(endsAt) }, { responses: responders, keyWindowEndsAt: endsAt.toISOString(), source: book.frameworkKeyWindowMinutes.source });
  await scheduler.schedule(tx, { kind: CLOSE_KEYS_JOB, key: closeKeysJobKey(id), runAt: endsAt, payload: { agreementId: id } });
}

type KeyRefusal = { refused: 'WRONG_KEY' | 'KEY_ATTEMPTS_EXHAUSTED'; attemptsUsed: number; attemptsLeft: number; maxAttempts: number; keyWindowEndsAt: string };

/**
 * A responder hands in the key of its own response in the key window. As for tender bids
 * (server/execution/tendering/opening): a wrong key is refused (422 WRONG_KEY, the response stays
 * sealed) up to tenderMaxKeyAttempts; the right key opens it and the plaintext is checked against
 * the receipt's digest; a tampered envelope makes the response invalid. An opened response is
 * sealed again under the platform key until the window closes, when all are read out together.
 * Every attempt is audited, never the key nor a price.
 */
export async function submitResponseKey(deps: FrameworkDeps, actor: Actor, supplierId: number, id: number, keyHex: string) {
  const r = await withTx(deps.db, async (tx): Promise<{ status: 'decrypted' | 'invalid'; reason: string | null; attempt: number; receiptNo: string } | KeyRefusal> => {
    const a = await lockAgreement(tx, id);
    const now = actor.clock.now();
    if (a.status !== 'opening') throw new ConflictError('NOT_IN_OPENING', `The agreement is ${a.status}; keys are accepted only in the key window`, { status: a.status });
    const endsAt = fromDbTime(a.key_window_ends_at)!;
    if (now >= endsAt) throw new ConflictError('DECRYPTION_WINDOW_CLOSED', 'The key window has closed', { keyWindowEndsAt: endsAt.toISOString() });
    const row = await tx('framework_responses').where({ agreement_id: id, supplier_id: supplierId }).whereNot({ status: 'withdrawn' }).first();
    if (!row) throw new NotFoundError('You have no response to this call', null, 'RESPONSE_NOT_FOUND');
    if (row.status !== 'sealed') throw new ConflictError('ALREADY_RESOLVED', 'Your response is already opened', { status: row.status });
    const maxAttempts = rule(await loadRuleBook(tx), 'tenderMaxKeyAttempts');
    const used = Number(row.key_attempts ?? 0);
    const facts = { supplierId, receiptNo: row.receipt_no, at: now.toISOString(), ip: actor.ip };
    const refuse = async (refused: KeyRefusal['refused'], attemptsUsed: number): Promise<KeyRefusal> => {
      const attemptsLeft = Math.max(0, maxAttempts - attemptsUsed);
      await record(tx, actor, { action: 'framework.response_key_rejected', entityType: 'framework_agreement', entityId: id, after: { ...facts, reason: refused, attemptsUsed, attemptsLeft, maxAttempts } });
      return { refused, attemptsUsed, attemptsLeft, maxAttempts, keyWindowEndsAt: endsAt.toISOString() };
    };
    if (used >= maxAttempts) return refuse('KEY_ATTEMPTS_EXHAUSTED', used);
    const attempt = used + 1;
    const outcome = decryptResponse(row, keyHex.trim().toLowerCase(), id, supplierId);
    if (outcome.reason === 'WRONG_KEY') {
      await tx('framework_responses').where({ id: row.id }).update({ key_attempts: attempt });
      return refuse('WRONG_KEY', attempt);
    }
    if (outcome.plaintext) {
      const opened = createSealer(deps.sealKey).seal(outcome.plaintext, openedCtx(row.id));
      await tx('framework_responses').where({ id: row.id }).update({ status: 'decrypted', key_attempts: attempt, opened_sealed: opened, updated_at: toDbTime(now) });
    } else {
      await tx('framework_responses').where({ id: row.id }).update({ status: 'opened', key_attempts: attempt, valid: false, invalid_reason: outcome.reason, updated_at: toDbTime(now) });
    }
    const status = outcome.plaintext ? 'decrypted' : 'invalid';
    await record(tx, actor, { action: outcome.plaintext ? 'framework.response_decrypted' : 'framework.response_invalidated', entityType: 'framework_agreement', entityId: id, after: { ...facts, status, reason: outcome.reason, attempt } });
    const pending = Number((await tx('framework_responses').where({ agreement_id: id, status: 'sealed' }).count({ n: '*' }).first())?.n ?? 0);
    if (pending === 0) await closeKeyWindowIn(tx, systemActor(CLOSE_KEYS_JOB, actor.clock), deps, await lockAgreement(tx, id));
    return { status, reason: outcome.reason, attempt, receiptNo: row.receipt_no };
  });
  if ('refused' in r) {
    const { refused, ...details } = r;
    throw refused === 'WRONG_KEY'
      ? new RuleError('WRONG_KEY', `The key does not open your response; it stays sealed (${details.attemptsLeft} of ${details.maxAttempts} attempts left)`, details)
      : new RuleError('KEY_ATTEMPTS_EXHAUSTED', `All ${details.maxAttempts} attempts to hand in a key are used; the response stays sealed until the window closes`, details);
  }
  return r;
}

function decryptResponse(row: any, keyHex: string, agreementId: number, supplierId: number): { plaintext: string | null; reason: string | null } {
  // The stored envelope must be byte for byte the one the receipt was issued for.
  if (crypto.createHash('sha256').update(row.sealed, 'utf8').digest('hex') !== row.envelope_sha256) return { plaintext: null, reason: 'CIPHERTEXT_TAMPERED' };
  const r = openResponse(row.sealed, keyHex, row.digest);
  if (!r.ok) return { plaintext: null, reason: r.reason === 'DIGEST_MISMATCH' ? 'CIPHERTEXT_TAMPERED' : r.reason };
  if (r.response.agreementId !== agreementId || r.response.supplierId !== supplierId) return { plaintext: null, reason: 'RESPONSE_FOR_ANOTHER_CALL' };
  return { plaintext: JSON.stringify(r.response), reason: null };
}

/**
 * The key window closes (its job, or the last key handed in): every opened response is read out
 * together and checked (each price at or under the item's maximum, the supplier registered for the
 * category, the brand and model registered for goods); a response whose key was not given is
 * invalid (NOT_DECRYPTED); the call goes to evaluation.
 */
async function closeKeyWindowIn(tx: Tx, actor: Actor, deps: FrameworkDeps, a: any) {
  const id = a.id;
  const now = actor.clock.now();
  const sealer = createSealer(deps.sealKey);
  const items = await tx('framework_agreement_items').where({ agreement_id: id });
  const opened: Array<{ supplierId: number; receiptNo: string; totalFen: number | null; valid: boolean; reason: string | null }> = [];
  for (const r of await tx('framework_responses').where({ agreement_id: id, status: 'decrypted' })) {
    const content = JSON.parse(sealer.open<string>(r.opened_sealed, openedCtx(r.id))) as ResponsePlaintext;
    let reason: string | null = null;
    let total = 0;
    const cats = await supplierCategories(tx, r.supplier_id);
    const ids = new Set(content.items.map((p) => p.itemId));
    if (ids.size !== content.items.length || ids.size !== items.length || items.some((it: any) => !ids.has(it.id))) reason = 'RESPONSE_ITEMS_INCOMPLETE';
    for (const p of content.items) {
      const it = items.find((x: any) => x.id === p.itemId);
      if (!it) continue;
      total += p.unitPriceFen;
      if (p.unitPriceFen > Number(it.max_price_fen)) reason ??= `ABOVE_MAX_PRICE: ${it.name}`;
      if (!cats.includes(it.category_code)) reason ??= `CATEGORY_NOT_REGISTERED: ${it.category_code}`;
      else if (a.category_kind === 'goods' && !(await suppliesBrand(tx, r.supplier_id, it.category_code, p.brand, p.model))) reason ??= `BRAND_NOT_REGISTERED: ${p.brand} ${p.model}`;
    }
    await tx('framework_responses').where({ id: r.id }).update({ status: 'opened', opened_sealed: null, opened_json: JSON.stringify(content), valid: reason === null, invalid_reason: reason, total_fen: total, updated_at: toDbTime(now) });
    opened.push({ supplierId: r.supplier_id, receiptNo: r.receipt_no, totalFen: total, valid: reason === null, reason });
  }
  for (const r of await tx('framework_responses').where({ agreement_id: id, status: 'sealed' })) {
    const reason = Number(r.key_attempts) ? `NOT_DECRYPTED: ${r.key_attempts} wrong key(s)` : 'NOT_DECRYPTED';
    await tx('framework_responses').where({ id: r.id }).update({ status: 'opened', valid: false, invalid_reason: reason, updated_at: toDbTime(now) });
    opened.push({ supplierId: r.supplier_id, receiptNo: r.receipt_no, totalFen: null, valid: false, reason });
  }
  for (const r of await tx('framework_responses').where({ agreement_id: id, status: 'opened' }).whereNotIn('receipt_no', opened.map((o) => o.receiptNo))) {
    opened.push({ supplierId: r.supplier_id, receiptNo: r.receipt_no, totalFen: null, valid: false, reason: r.invalid_reason });
  }
  await deps.scheduler.cancel(tx, closeKeysJobKey(id));
  await moveAgreement(tx, actor, a, 'evaluation', {}, { responses: opened });
}

/** The job at the deadline: opens if still calling (an operator may have opened it already). */
export async function openJob(deps: FrameworkDeps, actor: Actor, agreementId: number) {
  await withTx(deps.db, async (tx) => {
    const a = await tx('framework_agreements').where({ id: agreementId }).first('status');
    if (a?.status === 'calling') await openResponses(tx, actor, deps.scheduler, agreementId);
  });
}

/** The job at the end of the key window. */
export async function closeKeysJob(deps: FrameworkDeps, actor: Actor, agreementId: number) {
  await withTx(deps.db, async (tx) => {
    const a = await lockAgreement(tx, agreementId);
    if (a.status === 'opening') await closeKeyWindowIn(tx, actor, deps, a);
  });
}

/**
 * Evaluation: the operator records quality scores (quality priority) and any response found
 * invalid, then the entry rule picks the entry suppliers; their prices become the agreement's
 * ceiling prices and the entry notice is published.
 */
export async function evaluate(tx: Tx, actor: Actor, id: number, input: { scores?: Array<{ supplierId: number; qualityScore: number }>; rejections?: Array<{ supplierId: number; reason: string }> }) {
  const a = await lockAgreement(tx, id);
  if (a.status !== 'evaluation') throw new ConflictError('AGREEMENT_WRONG_STATE', 'The agreement is not in evaluation', { status: a.status });
  const now = actor.clock.now();
  for (const s of input.scores ?? []) await tx('framework_responses').where({ agreement_id: id, supplier_id: s.supplierId, status: 'opened' }).update({ quality_score: s.qualityScore, updated_at: toDbTime(now) });
  for (const r of input.rejections ?? []) await tx('framework_responses').where({ agreement_id: id, supplier_id: r.supplierId, status: 'opened' }).update({ valid: false, invalid_reason: `EVALUATION: ${r.reason}`, updated_at: toDbTime(now) });
  const opened = await tx('framework_responses').where({ agreement_id: id, status: 'opened' });
  const valid = opened.filter((r: any) => !!r.valid).map((r: any) => ({ responseId: r.id, supplierId: r.supplier_id, totalFen: Number(r.total_fen), qualityScore: r.quality_score === null ? null : Number(r.quality_score), submittedAt: fromDbTime(r.submitted_at)!.getTime() }));
  const book = await loadRuleBook(tx);
  const outcome = selectEntries(a.evaluation_method, valid, { minimumResponders: rule(book, 'frameworkMinimumResponders'), eliminationRatePercent: rule(book, 'frameworkEliminationRatePercent'), minimumEliminated: rule(book, 'frameworkMinimumEliminated') });
  if (!outcome.ok) {
    if (outcome.code === 'QUALITY_SCORE_MISSING') throw new RuleError('QUALITY_SCORE_MISSING', 'Quality priority: every valid response needs its quality score');
    await moveAgreement(tx, actor, a, 'failed', { failure_reason: `TOO_FEW_VALID_RESPONSES: ${outcome.valid}` }, { valid: outcome.valid, needed: outcome.needed, source: book.frameworkMinimumResponders.source });
    await failureNotice(tx, actor, a, outcome.valid);
    await publishAgreementReleases(tx, actor, id);
    return;
  }
  for (const [i, r] of outcome.entries.entries()) {
    await tx('framework_responses').where({ id: r.responseId }).update({ rank: i + 1 });
    const [eid] = await tx('framework_entries').insert({ agreement_id: id, supplier_id: r.supplierId, response_id: r.responseId, rank: i + 1, total_fen: r.totalFen });
    const content = JSON.parse(opened.find((o: any) => o.id === r.responseId).opened_json) as ResponseInput;
    await tx('framework_entry_prices').insert(content.items.map((p) => ({ entry_id: Number(eid), item_id: p.itemId, unit_price_fen: p.unitPriceFen, brand: p.brand, model: p.model })));
  }
  for (const [i, r] of outcome.eliminated.entries()) await tx('framework_responses').where({ id: r.responseId }).update({ rank: outcome.entries.length + i + 1 });
  await moveAgreement(tx, actor, a, 'entries_published', { entries_published_at: toDbTime(now) }, {
    entries: outcome.entries.map((e) => ({ supplierId: e.supplierId, totalFen: e.totalFen, qualityScore: e.qualityScore })),
    eliminated: outcome.eliminated.map((e) => e.supplierId),
    eliminationRatePercent: rule(book, 'frameworkEliminationRatePercent'),
  });
  const names = await tx('suppliers').whereIn('id', outcome.entries.map((e) => e.supplierId)).select('id', 'name');
  const list = outcome.entries.map((e, i) => `${i + 1}. ${names.find((n: any) => n.id === e.supplierId)?.name}`).join('；');
  await publishNotice(tx, actor, {
    kind: 'award',
    titleZh: `${a.title}框架协议入围结果公告（${a.ref}）`,
    titleEn: `Entry suppliers of the framework agreement: ${a.title} (${a.ref})`,
    bodyZh: `入围供应商（按排序）：${list}。各入围供应商的入围单价为本框架协议的最高限价，详见门户框架协议页面。`,
    bodyEn: `Entry suppliers (in rank order): ${list}. Each entry supplier's prices are the agreement's ceiling prices; see the agreement's page on the portal.`,
    categoryCode: a.category_code,
    method: 'framework_agreement',
    sourceType: 'framework_agreement',
    sourceId: a.id,
  });
  await publishAgreementReleases(tx, actor, id);
}

async function failureNotice(tx: Tx, actor: Actor, a: any, valid: number) {
  await publishNotice(tx, actor, {
    kind: 'failure',
    titleZh: `${a.title}框架协议采购失败公告（${a.ref}）`,
    titleEn: `Framework agreement call failed: ${a.title} (${a.ref})`,
    bodyZh: `符合条件的响应供应商 ${valid} 家，不足以按入围规则确定入围供应商，本次征集失败。`,
    bodyEn: `${valid} qualified responder(s): too few to select entry suppliers under the entry rules; the call failed.`,
    categoryCode: a.category_code,
    method: 'framework_agreement',
    sourceType: 'framework_agreement',
    sourceId: a.id,
  });
}

/** An entry supplier signs the agreement; the last signature makes it active. */
export async function signEntry(tx: Tx, actor: Actor, supplierId: number, id: number) {
  const a = await lockAgreement(tx, id);
  if (a.status !== 'entries_published') throw new ConflictError('AGREEMENT_WRONG_STATE', 'The agreement is not waiting for signatures', { status: a.status });
  await assertSupplierMayAct(tx, supplierId, actor.clock.now(), 'sign_contract');
  const n = await tx('framework_entries').where({ agreement_id: id, supplier_id: supplierId }).whereNull('signed_at').update({ signed_at: toDbTime(actor.clock.now()), signed_by: actor.userId });
  if (n !== 1) throw new ConflictError('ENTRY_NOT_SIGNABLE', 'Your company is not an unsigned entry supplier of this agreement');
  await record(tx, actor, { action: 'framework.entry_signed', entityType: 'framework_agreement', entityId: id, after: { supplierId, ref: a.ref } });
  const unsigned = await tx('framework_entries').where({ agreement_id: id }).whereNull('signed_at').count({ n: '*' }).first();
  if (Number(unsigned?.n ?? 0) === 0) {
    await moveAgreement(tx, actor, a, 'active');
    await publishAgreementReleases(tx, actor, id);
  }
}

// ---- second stage: orders ------------------------------------------------------------------

/** The agreement in force for these categories today: active, within its term, covering each. */
export async function agreementInForce(db: Knex, categoryCodes: string[], at: Date) {
  const day = today(at);
  const rows = await db('framework_agreements').where({ status: 'active' }).where('term_start', '<=', day).where('term_end', '>=', day).orderBy('id', 'desc');
  for (const a of rows) {
    const items = await db('framework_agreement_items').where({ agreement_id: a.id }).select('category_code');
    if (categoryCodes.every((c) => items.some((i: any) => i.category_code === c))) return a;
  }
  return null;
}

/** What a unit may order for a framework_order project: the agreement, modes, each entry at its prices. */
export async function orderOptions(db: Knex, user: SessionUser, projectId: number, at: Date) {
  const p = await projects.projectForExecution(db, projectId);
  if (user.roles.includes('purchaser') && !user.roles.includes('operator') && p.orgId !== user.orgId) throw new NotFoundError('Project not found', null, 'PROJECT_NOT_FOUND');
  if (p.method !== 'framework_order') throw new RuleError('PROJECT_NOT_FRAMEWORK_ORDER', `Project ${p.ref} is procured by ${p.method}`, { method: p.method });
  const items = await db('requisition_items as i').join('procurement_projects as p', 'p.requisition_id', 'i.requisition_id').where('p.id', projectId).select('i.category_code', 'i.quantity', 'i.name');
  const a = await agreementInForce(db, [...new Set(items.map((i: any) => i.category_code as string))], at);
  if (!a) throw new RuleError('NO_AGREEMENT_IN_FORCE', 'No framework agreement is in force for these categories');
  const entries = await repo.entriesWithPrices(db, a.id);
  const book = await loadRuleBook(db);
  const priced = entries
    .filter((e) => e.signedAt !== null)
    .map((e) => ({ ...e, orderFen: orderValueFen(items.map((i: any) => ({ categoryCode: i.category_code, quantity: Number(i.quantity) })), e.prices) }))
    .filter((e) => e.orderFen !== null) as Array<repo.EntryView & { orderFen: number }>;
  const rotation = rotationPick(priced, a.rotation_next);
  const modes = String(a.second_stage_modes).split(',').filter(Boolean) as OrderMode[];
  const order = await db('framework_orders').where({ project_id: projectId }).first();
  return {
    project: { id: p.id, ref: p.ref, stage: p.stage, budgetFen: p.budgetFen, categoryCode: p.categoryCode },
    agreement: { id: a.id, ref: a.ref, title: a.title, evaluationMethod: a.evaluation_method, termStart: a.term_start, termEnd: a.term_end },
    modes,
    competitionMinimum: rule(book, 'frameworkSecondCompetitionMinimumSuppliers'),
    entries: priced.map((e) => ({ supplierId: e.supplierId, supplierName: e.supplierName, rank: e.rank, orderFen: e.orderFen, prices: e.prices })),
    rotationNext: rotation ? rotation.entry.supplierId : null,
    ceilingFen: priced.length ? Math.min(p.budgetFen, Math.max(...priced.map((e) => e.orderFen))) : null,
    order: order ? repo.orderFromRow(order) : null,
  };
}

export interface OrderInput {
  projectId: number;
  mode: OrderMode;
  supplierId?: number;
  amountFen?: number;
  reason?: string;
  competition?: { startsAt: string; durationSec: number; decrementKind: 'absolute' | 'percent'; decrementValue: number };
}

/**
 * Places the order. Direct selection and rotation award at once (recordAward re-freezes the budget
 * at the order price and publishes the result); a second competition is created on the auction
 * engine with the agreement price as its ceiling, open only to the agreement's entry suppliers, and
 * its result reaches the project through the engine's own hand-off.
 */
export async function placeOrder(deps: FrameworkDeps, actor: Actor, user: SessionUser, input: OrderInput) {
  const opts = await orderOptions(deps.db, user, input.projectId, actor.clock.now());
  if (opts.project.stage !== 'order') throw new ConflictError('PROJECT_WRONG_STAGE', `The project is in stage ${opts.project.stage}`, { stage: opts.project.stage });
  if (opts.order) throw new ConflictError('ORDER_EXISTS', 'This project already has its order');
  if (!opts.modes.includes(input.mode)) throw new RuleError('ORDER_MODE_NOT_IN_AGREEMENT', `The agreement does not provide for ${input.mode}`, { modes: opts.modes });
  if (opts.entries.length === 0) throw new RuleError('NO_ENTRY_SUPPLIER', 'No signed entry supplier covers every item');
  const ref = (sup: number) => `framework:${opts.agreement.ref}:${input.mode}:${sup}`;
  if (input.mode === 'competition') {
    const c = input.competition;
    if (!c) throw new RuleError('COMPETITION_TERMS_REQUIRED', 'A second competition needs its start, duration and decrement');
    if (opts.entries.length < opts.competitionMinimum) throw new RuleError('TOO_FEW_ENTRIES_FOR_COMPETITION', `A second competition needs at least ${opts.competitionMinimum} entry suppliers`, { entries: opts.entries.length });
    const brands = new Set(opts.entries.flatMap((e) => e.prices.map((p) => p.brand)));
    const items = await deps.db('requisition_items as i').join('procurement_projects as p', 'p.requisition_id', 'i.requisition_id').where('p.id', input.projectId).orderBy('i.line_no').select('i.*');
    const one = items.length === 1 ? items[0] : null;
    const auction = await deps.auctions().create(actor, user, {
      title: `${opts.agreement.title}二次竞价（${opts.project.ref}）`,
      lotDescription: items.map((i: any) => `${i.name} ${i.specification} × ${i.quantity} ${i.unit}`).join('\n'),
      quantity: one ? Number(one.quantity) : 1,
      unit: one ? one.unit : '批',
      categoryCode: opts.project.categoryCode,
      ceilingFen: opts.ceilingFen!,
      decrementKind: c.decrementKind,
      decrementValue: c.decrementValue,
      startsAt: c.startsAt,
      durationSec: c.durationSec,
      extensionSec: 60,
      maxExtensionSec: null,
      visibility: 'best_price',
      minSuppliers: Math.max(3, opts.competitionMinimum),
      // The multi-brand rule applies where the entry suppliers offer enough brands to meet it.
      minBrands: Math.min(3, brands.size),
      orgId: null,
      requisitionId: null,
      projectId: input.projectId,
      announce: true,
      frameworkCeilingFen: opts.ceilingFen!,
    });
    return withTx(deps.db, async (tx) => {
      await tx('framework_orders').insert({ agreement_id: opts.agreement.id, project_id: input.projectId, mode: 'competition', supplier_id: null, ceiling_fen: opts.ceilingFen, amount_fen: null, reason: null, auction_id: auction.id, created_by: actor.userId, created_at: toDbTime(actor.clock.now()) });
      await record(tx, actor, { action: 'framework.order_placed', entityType: 'project', entityId: input.projectId, after: { agreementId: opts.agreement.id, agreementRef: opts.agreement.ref, mode: 'competition', auctionId: auction.id, auctionCode: auction.code, ceilingFen: opts.ceilingFen, minBrands: Math.min(3, brands.size) } });
      return { mode: 'competition', auctionId: auction.id, auctionCode: auction.code, ceilingFen: opts.ceilingFen };
    });
  }
  return withTx(deps.db, async (tx) => {
    const a = await lockAgreement(tx, opts.agreement.id);
    let entry: (typeof opts.entries)[number] | undefined;
    let amountFen: number;
    let rotationNext: number | null = null;
    if (input.mode === 'direct') {
      entry = opts.entries.find((e) => e.supplierId === input.supplierId);
      if (!entry) throw new RuleError('NOT_AN_ENTRY_SUPPLIER', 'Direct selection chooses one of the agreement\'s signed entry suppliers', { supplierId: input.supplierId ?? null });
      if (!input.reason?.trim()) throw new RuleError('SELECTION_REASON_REQUIRED', 'Direct selection records why this supplier was chosen');
      amountFen = input.amountFen ?? entry.orderFen;
      if (amountFen > entry.orderFen) throw new RuleError('ABOVE_AGREEMENT_PRICE', 'A direct order is at or under the supplier\'s agreement prices', { agreementFen: entry.orderFen, amountFen });
    } else {
      const pick = rotationPick(opts.entries, a.rotation_next);
      entry = pick!.entry;
      amountFen = entry.orderFen;
      rotationNext = pick!.next;
      await tx('framework_agreements').where({ id: a.id }).update({ rotation_next: rotationNext, version: a.version + 1 });
    }
    await tx('framework_orders').insert({ agreement_id: a.id, project_id: input.projectId, mode: input.mode, supplier_id: entry.supplierId, ceiling_fen: entry.orderFen, amount_fen: amountFen, reason: input.reason ?? null, auction_id: null, created_by: actor.userId, created_at: toDbTime(actor.clock.now()) });
    await record(tx, actor, { action: 'framework.order_placed', entityType: 'project', entityId: input.projectId, after: { agreementId: a.id, agreementRef: a.ref, orgId: (await tx('procurement_projects').where({ id: input.projectId }).first('org_id')).org_id, mode: input.mode, supplierId: entry.supplierId, amountFen, agreementFen: entry.orderFen, lowestFen: Math.min(...opts.entries.map((e) => e.orderFen)), reason: input.reason ?? null, rotationNext } });
    await tx('procurement_projects').where({ id: input.projectId }).update({ responses: 1, valid_responses: 1 });
    await projects.recordAward(tx, actor, { projectId: input.projectId, supplierId: entry.supplierId, amountFen, source: 'framework', sourceRef: ref(entry.supplierId) });
    return { mode: input.mode, supplierId: entry.supplierId, amountFen };
  });
}

/**
 * Who may join a second competition: for a framework order, only a signed entry supplier of its
 * agreement (called by the auction service when a supplier joins). Answers that supplier's own
 * ceiling: the order at its own agreement prices, which its bids may not exceed (null outside a
 * framework order).
 */
export async function assertMayJoinSecondCompetition(db: Knex, projectId: number | null, supplierId: number): Promise<number | null> {
  if (projectId === null) return null;
  const p = await db('procurement_projects').where({ id: projectId }).first('method');
  if (p?.method !== 'framework_order') return null;
  const o = await db('framework_orders').where({ project_id: projectId }).first('agreement_id');
  const e = o && (await db('framework_entries').where({ agreement_id: o.agreement_id, supplier_id: supplierId }).whereNotNull('signed_at').first('id'));
  if (!e) throw new ForbiddenError('Only the framework agreement\'s entry suppliers take part in its second competition', null, 'NOT_AN_ENTRY_SUPPLIER');
  const items = await db('requisition_items as i').join('procurement_projects as p', 'p.requisition_id', 'i.requisition_id').where('p.id', projectId).select('i.category_code', 'i.quantity');
  const entry = (await repo.entriesWithPrices(db, o.agreement_id)).find((x) => x.supplierId === supplierId);
  return entry ? orderValueFen(items.map((i: any) => ({ categoryCode: i.category_code, quantity: Number(i.quantity) })), entry.prices) : null;
}

export { effectiveStatus, today, chinaDayEnd };
