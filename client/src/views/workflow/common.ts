// Small pieces shared by the workflow screens.
import { h } from '../../dom';
import { ApiError } from '../../api';
import { t, formatTime } from '../../i18n';
import { session } from '../../session';
import './workflow.css';
import { actionButton as sharedActionButton } from '../../widgets';

export { yuanToFen } from './money';

export const when = (iso: string | null) => (iso ? formatTime(iso, session.user?.timeZone) : '');

export function statusBadge(prefix: string, status: string): HTMLElement {
  return h('span', { class: `wf-badge wf-${status}`, 'data-status': status }, t(`${prefix}.${status}`));
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return t('workflow.error', { message: e.message });
  return t('workflow.error', { message: (e as Error).message });
}

/** A button that runs an action, shows its error inline and disables itself while busy. */
export function actionButton(label: string, testId: string, run: () => Promise<void>, cls = ''): HTMLElement {
  return sharedActionButton(label, testId, run, { errorText, buttonClass: cls, wrapperClass: 'wf-action' });
}
