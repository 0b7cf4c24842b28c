// One audit event as a sentence in the reader's language: people and units by name, things by the
// references people use, money in yuan, times in the reader's zone, codes translated. Pure (the
// translation and formatting functions are passed in) so unit tests run it without a browser.
import { frameworkReasonText } from '../../framework/reasons';

type T = (key: string, vars?: Record<string, string | number>) => string;

export interface StoryEvent {
  seq: number;
  occurredAt: string;
  actorId: number | null;
  actorName: string | null;
  actorRole: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  ip: string | null;
}

export interface StoryNames {
  users: Record<string, string>;
  suppliers: Record<string, string>;
  orgs: Record<string, { zh: string; en: string }>;
  refs: Record<string, string>;
  bidSuppliers?: Record<string, number>;
}

export interface StoryFormat {
  t: T;
  locale: 'zh-CN' | 'en';
  money: (fen: number) => string;
  time: (iso: string) => string;
}

const SUBJECT_OF: Record<string, string> = { consultation: 'consultation', tender: 'tender', project: 'project', procurement_project: 'project', requisition: 'requisition', auction: 'competition', competition: 'competition', contract: 'contract', supplier: 'supplier', framework_agreement: 'agreement' };
const MONEY_FIELDS = ['amountFen', 'awardFen', 'awardAmountFen', 'priceFen', 'budgetFen', 'ceilingFen', 'allocatedFen', 'totalFen', 'estimatedFen'];
const TIME_FIELDS = ['decryptionEndsAt', 'bidDeadline', 'tenderPeriodEnd', 'deadlineAfter', 'deadlineAt', 'newDeadline', 'closesAt', 'startsAt', 'responseDeadline'];
const CJK = /[\u4e00-\u9fff]/;

/** The sentence template key for an action: its own, else its family's (`approval.*`), else none. */
export function sentenceKey(action: string, has: (key: string) => boolean): string | null {
  const own = `supervision.story.say.${action}`;
  if (has(own)) return own;
  const parts = action.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const family = `supervision.story.say.${parts.slice(0, i).join('.')}.*`;
    if (has(family)) return family;
    // a family named with an underscore prefix: draw.notification_sent → draw.notification_*
    const under = /^(.*_)[a-z]+$/.exec(parts.slice(0, i + 1).join('.'));
    if (under && has(`supervision.story.say.${under[1]}*`)) return `supervision.story.say.${under[1]}*`;
  }
  return null;
}

export function sayEvent(e: StoryEvent, names: StoryNames, f: StoryFormat): string {
  const { t } = f;
  const has = (k: string) => t(k) !== k;
  const after = (e.after && typeof e.after === 'object' ? e.after : {}) as Record<string, unknown>;
  const before = (e.before && typeof e.before === 'object' ? e.before : {}) as Record<string, unknown>;
  const field = (k: string) => (after[k] !== undefined && after[k] !== null ? after[k] : before[k]);
  const ref = (type: string, id: unknown) => (id === undefined || id === null || id === '' ? '' : names.refs[`${type}:${id}`] ?? t(`supervision.story.thing.${type}`, { id: String(id) }));
  const subjectType = SUBJECT_OF[e.entityType];
  const subject = subjectType === 'supplier' ? names.suppliers[e.entityId] ?? ref('supplier', e.entityId) : subjectType ? ref(subjectType, e.entityId) : '';
  const bidId = field('bidId');
  const supplierId = field('supplierId') ?? field('winnerSupplierId') ?? field('awardedSupplierId') ?? (bidId !== undefined && bidId !== null ? names.bidSuppliers?.[String(bidId)] : undefined) ?? (subjectType === 'supplier' ? e.entityId : undefined);
  const orgId = field('orgId') ?? field('purchasingOrgId') ?? field('unitId') ?? (e.entityType === 'organisation' ? e.entityId : undefined);
  const org = orgId !== undefined && names.orgs[String(orgId)] ? names.orgs[String(orgId)][f.locale === 'en' ? 'en' : 'zh'] : '';
  const fen = MONEY_FIELDS.map(field).find((v) => typeof v === 'number');
  const when = TIME_FIELDS.map(field).find((v) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) as string | undefined;
  const system = e.actorRole.startsWith('system') || e.actorId === null;
  const actor = (e.actorId !== null && names.users[String(e.actorId)]) || e.actorName || (system ? t('supervision.story.system') : has(`role.${e.actorRole}`) ? t(`role.${e.actorRole}`) : t('supervision.story.system'));
  const code = (v: unknown) => {
    if (typeof v !== 'string' || !v) return '';
    if (CJK.test(v) && f.locale === 'zh-CN') return v; // typed by a person in Chinese
    for (const k of [`supervision.story.reason.${v}`, `tendering.reason.${v}`, `tendering.failure.${v}`, `err.${v}`]) if (has(k)) return t(k);
    const framework = frameworkReasonText(v, t); // a framework response's reason: a code, then what it concerns
    if (framework) return framework;
    return f.locale === 'en' && !CJK.test(v) && /\s/.test(v) ? v : ''; // an English sentence someone typed, in the English page
  };
  const outcomeOf = (last: string) => (has(`supervision.story.outcome.${last}`) ? t(`supervision.story.outcome.${last}`) : code(field('status')));
  const last = e.action.split(/[._]/).pop() ?? '';
  const vars: Record<string, string | number> = {
    actor,
    subject,
    supplier: supplierId !== undefined && supplierId !== null ? names.suppliers[String(supplierId)] ?? ref('supplier', supplierId) : '',
    org,
    amount: typeof fen === 'number' ? f.money(fen) : '',
    tender: ref('tender', field('tenderId') ?? (subjectType === 'tender' ? e.entityId : undefined)),
    project: ref('project', field('projectId') ?? (subjectType === 'project' ? e.entityId : undefined)),
    requisition: ref('requisition', field('requisitionId') ?? (subjectType === 'requisition' ? e.entityId : undefined)),
    competition: ref('competition', field('auctionId') ?? field('competitionId')),
    contract: ref('contract', field('contractId')),
    mode: typeof field('mode') === 'string' && has(`supervision.story.mode.${field('mode')}`) ? t(`supervision.story.mode.${field('mode')}`) : '',
    agreement: ref('agreement', field('agreementId') ?? (subjectType === 'agreement' ? e.entityId : undefined)),
    receipt: typeof field('receiptNo') === 'string' ? (field('receiptNo') as string) : '',
    reason: code(field('reason')) || code(field('failureReason')),
    outcome: e.action.includes('.') ? outcomeOf(e.action.slice(e.action.lastIndexOf('.') + 1)) || outcomeOf(last) : '',
    attempt: Number(field('attempt') ?? 1),
    attemptsUsed: Number(field('attemptsUsed') ?? 0),
    attemptsLeft: Number(field('attemptsLeft') ?? 0),
    maxAttempts: Number(field('maxAttempts') ?? 0),
    count: Array.isArray(after.bids) ? after.bids.length : Number(field('count') ?? 0),
    bids: Number(field('bids') ?? 0),
    validBids: Number(field('validBids') ?? 0),
    rank: Number(field('rank') ?? 0),
    time: when ? f.time(when) : '',
    title: typeof field('title') === 'string' && (f.locale === 'en' || CJK.test(field('title') as string)) ? (field('title') as string) : typeof field('titleZh') === 'string' && f.locale === 'zh-CN' ? (field('titleZh') as string) : typeof field('titleEn') === 'string' && f.locale === 'en' ? (field('titleEn') as string) : subject,
    ip: e.ip ?? (typeof field('ip') === 'string' ? (field('ip') as string) : ''),
  };
  const key = sentenceKey(e.action, has) ?? 'supervision.story.say.other';
  return t(key, vars).replace(/\s+([，。；（）])/g, '$1').replace(/）\s+(?=[\u4e00-\u9fff])/g, '）').replace(/（\s*）|\(\s*\)/g, '').replace(/\s{2,}/g, ' ').trim();
}
