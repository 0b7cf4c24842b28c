// Small widgets shared by the feature views.
import { h } from './dom';
import { t } from './i18n';
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
