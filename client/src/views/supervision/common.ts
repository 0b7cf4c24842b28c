// Shared pieces of the supervision views: alert summaries in the reader's language, tags.
import { h } from '../../dom';
import { t, locale, formatTime } from '../../i18n';
import { session } from '../../session';
import { entityRef, roleName, stepName } from '../../names';
import { docText } from '../tendering/ui';

export interface Alert {
  id: number;
  ruleCode: string;
  severity: string;
  status: string;
  summary: Record<string, string | number>;
  evidence: Record<string, unknown>;
  processKey: string | null;
  orgName: string | null;
  raisedAt: string;
  latencyMs: number | null;
  assignedTo: number | null;
  assigneeName: string | null;
  finding: string | null;
  findingNote: string | null;
  riskPointId: number | null;
  /** Repeated acts folded into this alert (×N) and the last time one happened. */
  occurrences: number;
  lastSeenAt: string;
  notes?: Array<{ id: number; kind: string; body: string; authorName: string; createdAt: string }>;
}

export interface Rule {
  code: string;
  family: 'cardinal' | 'platform';
  nameZh: string;
  nameEn: string;
  definitionZh: string;
  definitionEn: string;
  enabled: boolean;
  severity: string;
  thresholds: Record<string, unknown>;
  actions: string[];
}

export const ruleName = (r: Pick<Rule, 'nameZh' | 'nameEn'>) => (locale() === 'en' ? r.nameEn : r.nameZh);
export const ruleDefinition = (r: Pick<Rule, 'definitionZh' | 'definitionEn'>) => (locale() === 'en' ? r.definitionEn : r.definitionZh);

export function alertSummary(a: Pick<Alert, 'ruleCode' | 'summary'>): string {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(a.summary ?? {})) params[k] = typeof v === 'number' && k === 'value' && v < 1 ? `${Math.round(v * 1000) / 10}%` : v;
  // Money in yuan with thousands separators (2,280,000 元), as every amount a person reads.
  for (const [k, v] of Object.entries(params)) if (typeof v === 'number' && /Yuan$/.test(k)) params[k] = v.toLocaleString(locale() === 'en' ? 'en' : 'zh-CN', { maximumFractionDigits: 2 });
  if (params.unit) params.days = `${params.days}${params.unit === 'workingDays' ? (locale() === 'en' ? ' working days' : ' 个工作日') : locale() === 'en' ? ' days' : ' 天'}`;
  if (params.unit) params.minimum = `${params.minimum}`;
  // Keys and references the rules recorded, by name: the step, the resource read, the role.
  if (typeof params.step === 'string') params.step = stepName(params.step);
  // A criterion as the tender's documents name it, in the reader's language where they give both.
  if (typeof params.criterion === 'string') params.criterion = docText(params.criterion);
  if (typeof params.actorRole === 'string') params.actorRole = roleName(params.actorRole);
  if (typeof params.resource === 'string') params.resource = params.resource.replace(/^([a-z_]+) #(\S+)$/, (_, type: string, id: string) => entityRef(type, id));
  return t(`supervision.alert.${a.ruleCode}`, params);
}

export const severityTag = (s: string) => h('span', { class: `tag sev-${s}`, 'data-severity': s }, t(`supervision.severity.${s}`));
export const statusTag = (s: string) => h('span', { class: `tag st-${s}`, 'data-status': s }, t(`supervision.status.${s}`));
export const when = (iso: string | null) => formatTime(iso, session.user?.timeZone);
export const yuan = (fen: number) => (fen / 100).toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10}%`);
/** ×N beside an alert that happened more than once, with the last time it did. */
export const occurrencesTag = (a: Pick<Alert, 'occurrences' | 'lastSeenAt'>) =>
  a.occurrences > 1 ? h('span', { class: 'tag occurrences', 'data-testid': 'alert-occurrences', title: t('supervision.alerts.lastSeen', { time: when(a.lastSeenAt) }) }, `×${a.occurrences}`) : null;
