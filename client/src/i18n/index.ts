// Every user-visible string goes through t(); components never hard-code text.
import { zhCN, type MessageKey } from './zh-CN';
import { en } from './en';

export type Locale = 'zh-CN' | 'en';
const catalogs: Record<Locale, Record<string, string>> = { 'zh-CN': { ...zhCN }, en: { ...en } };

// Each feature keeps its strings beside its views in a messages.ts exporting
// `messages = {'zh-CN': {...}, en: {...}}`; they are merged here at build time.
const featureMessages = import.meta.glob<{ messages: Record<Locale, Record<string, string>> }>('../views/**/messages.ts', { eager: true });
for (const mod of Object.values(featureMessages)) {
  Object.assign(catalogs['zh-CN'], mod.messages['zh-CN']);
  Object.assign(catalogs.en, mod.messages.en);
}
const listeners = new Set<() => void>();

let current: Locale = (localStorage.getItem('locale') as Locale) === 'en' ? 'en' : 'zh-CN';
document.documentElement.lang = current;

export function locale(): Locale {
  return current;
}

export function setLocale(l: Locale): void {
  current = l;
  localStorage.setItem('locale', l);
  document.documentElement.lang = l;
  listeners.forEach((fn) => fn());
}

export function onLocaleChange(fn: () => void): void {
  listeners.add(fn);
}

export function t(key: MessageKey | (string & {}), vars: Record<string, string | number> = {}): string {
  const s = catalogs[current][key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? `{${k}}`));
}

/** Money is integer fen everywhere; shown as yuan with two decimals. */
export function formatFen(fen: number): string {
  const yuan = fen / 100;
  return new Intl.NumberFormat(current, { style: 'currency', currency: 'CNY', minimumFractionDigits: 2 }).format(yuan);
}

/** Times travel as UTC ISO strings and are shown in the user's time zone. */
export function formatTime(iso: string | null, timeZone = 'Asia/Shanghai'): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat(current, { timeZone, dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

export type { MessageKey };
