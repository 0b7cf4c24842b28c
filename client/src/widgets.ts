// Small widgets shared by the feature views.
import { h } from './dom';
import { t, formatFen } from './i18n';
import { ApiError } from './api';

/** An API error as the user reads it: the message for its code, in the user's language (client/src/errors.ts). */
export function apiErrorText(e: unknown): string {
  return t('error.generic', { message: e instanceof ApiError ? e.message : (e as Error).message });
}

/** A button that runs an async action, disables itself while busy and shows its error beside it. */
export function actionButton(label: string, testId: string, run: () => Promise<void>, opts: { errorText?: (e: unknown) => string; buttonClass?: string; wrapperClass?: string } = {}): HTMLElement {
  const err = h('span', { class: 'error', role: 'alert', 'data-testid': `${testId}-error` });
  const btn = h('button', { type: 'button', class: opts.buttonClass ?? '', 'data-testid': testId }, label) as HTMLButtonElement;
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    err.textContent = '';
    try {
      await run();
    } catch (e) {
      err.textContent = (opts.errorText ?? apiErrorText)(e);
    } finally {
      btn.disabled = false;
    }
  });
  return h('span', { class: opts.wrapperClass ?? 'action' }, btn, err);
}

/** An amount in yuan that never breaks inside its number (class amount: nowrap). */
export const amountSpan = (fen: number): HTMLElement => h('span', { class: 'amount', 'data-amount': '' }, formatFen(fen));

/** Text with its money figures (1,234.56 元, ¥1,234.56, CNY 1,234.56) kept whole on one line each. */
const MONEY_IN_TEXT = /((?:¥|CNY\s?)?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:\s?元)?|(?:¥|CNY\s?)\d+(?:\.\d+)?|\d+(?:\.\d+)?\s?元)/g;
export function withWholeAmounts(text: string): Array<string | HTMLElement> {
  const out: Array<string | HTMLElement> = [];
  let at = 0;
  for (const m of text.matchAll(MONEY_IN_TEXT)) {
    if (m.index! > at) out.push(text.slice(at, m.index));
    out.push(h('span', { class: 'amount', 'data-amount': '' }, m[0]));
    at = m.index! + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
