// Small pieces shared by the tendering pages.
import { h } from '../../dom';
import { ApiError } from '../../api';
import { t, formatTime, formatFen, locale } from '../../i18n';
import { session } from '../../session';
import { actionButton } from '../../widgets';
import { tenderErrorMessage } from './error-text';

export const when = (iso: string | null | undefined) => (iso ? formatTime(iso, session.user?.timeZone) : '');
export const money = (fen: number | null | undefined) => (fen === null || fen === undefined ? '' : formatFen(fen));

/** "1234.5" yuan → 123450 fen by string arithmetic: money never goes through a float. */
export function yuanToFen(text: string): number | null {
  const m = /^\s*(\d{1,13})(?:\.(\d{0,2}))?\s*$/.exec(text.replace(/,/g, ''));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/**
 * Text of the tender documents written in both languages by the templates ('技术响应 Technical response',
 * '人员配置 (staffing)'): the part in the user's language. Text in one language is shown as written.
 */
export function docText(s: string): string {
  const m = /^(.*[\u4e00-\u9fff）][^A-Za-z]*?)\s*[(（]?([A-Za-z][\x20-\x7e]*?)[)）]?$/.exec(s);
  if (!m || /[\u4e00-\u9fff]/.test(m[2]) || /[a-z][A-Z]/.test(m[2])) return s; // a brand (ThinkPad) is not a translation
  return locale() === 'en' ? m[2] : m[1].trim();
}

/** The localized message only: a raw code or the server's English text never reaches the page. */
export function errorText(e: unknown): string {
  return t('tendering.error', { message: e instanceof ApiError ? tenderErrorMessage(t, e) : (e as Error).message });
}

export function badge(prefix: string, status: string): HTMLElement {
  return h('span', { class: `tag tender-${status}`, 'data-status': status }, t(`${prefix}.${status}`));
}

/** A button running an async action, with its error shown beside it. */
export function action(label: string, testId: string, run: () => Promise<void>): HTMLElement {
  return actionButton(label, testId, run, { errorText, wrapperClass: 'tender-action' });
}

export function table(headers: string[], rows: Array<Array<string | Node>>, testId: string): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', { 'data-testid': testId }, h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))), h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))) : h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, t('table.empty'))))),
  );
}

export function reasonText(code: string | null): string {
  return code ? t(`tendering.reason.${code}`) : '';
}

/** Reads a chosen file as base64 (for sealed attachments) or as text (a key file). */
export function readFile(file: File, as: 'base64' | 'text'): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onerror = () => reject(r.error);
    r.onload = () => resolve(as === 'text' ? String(r.result) : String(r.result).replace(/^data:[^,]*,/, ''));
    if (as === 'text') r.readAsText(file);
    else r.readAsDataURL(file);
  });
}
