// Approver inbox: each pending step addressed to me, with the requisition's content and
// approve / reject / return for changes.
import { h, mount, newestOnly } from '../../dom';
import { api } from '../../api';
import { t, formatFen, locale } from '../../i18n';
import { actionButton, errorText, when } from './common';
import { timeline, type Requisition } from './requisitions';
import { live } from '../../main';

interface InboxItem { id: number; requisitionId: number; requisitionRef: string; title: string; totalFen: number; method: string; splitSuspected: boolean; nameZh: string; nameEn: string; orgNameZh: string; orgNameEn: string; budgetLineCode: string; dueAt: string | null; overdueAt: string | null; neededBy: string }

export function inboxView(): HTMLElement {
  const root = h('section', { 'data-testid': 'inbox' });
  const flash = h('p', { class: 'muted', 'data-testid': 'inbox-flash', 'aria-live': 'polite' });
  const load = newestOnly(async (stale) => {
    const data = await api<{ items: InboxItem[]; total: number }>('GET', '/api/approvals/inbox?pageSize=100');
    const cards = await Promise.all(
      data.items.map(async (s) => {
        const r = await api<Requisition>('GET', `/api/requisitions/${s.requisitionId}`);
        const comment = h('textarea', { rows: 2, placeholder: t('workflow.inbox.comment'), 'aria-label': t('workflow.inbox.comment'), 'data-testid': 'inbox-comment' });
        const decide = (decision: 'approve' | 'reject' | 'return') => async () => {
          await api('POST', `/api/approvals/${s.id}/decision`, { decision, comment: comment.value.trim() || undefined });
          await load();
          flash.textContent = t('workflow.inbox.done', { ref: s.requisitionRef });
        };
        return h(
          'article',
          { class: 'wf-panel', 'data-testid': 'inbox-item', 'data-ref': s.requisitionRef },
          h('h2', {}, h('a', { href: `/requisitions/${s.requisitionId}`, 'data-link': '' }, s.requisitionRef), ' · ', s.title, s.splitSuspected ? h('span', { class: 'wf-badge wf-split' }, t('workflow.req.split')) : null),
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, t('workflow.inbox.step')), h('dd', {}, locale() === 'en' ? s.nameEn : s.nameZh, s.overdueAt ? h('span', { class: 'wf-badge wf-overdue' }, t('workflow.step.overdue')) : s.dueAt ? ` · ${t('workflow.step.due', { time: when(s.dueAt) })}` : ''),
            h('dt', {}, t('workflow.req.org')), h('dd', {}, locale() === 'en' ? s.orgNameEn : s.orgNameZh),
            h('dt', {}, t('workflow.req.total')), h('dd', {}, formatFen(s.totalFen)),
            h('dt', {}, t('workflow.req.budgetLine')), h('dd', {}, s.budgetLineCode),
            h('dt', {}, t('workflow.req.method')), h('dd', {}, t(`workflow.method.${s.method}`)),
            h('dt', {}, t('workflow.req.justification')), h('dd', {}, r.justification),
          ),
          h('ul', {}, r.items.map((i) => h('li', {}, `${i.name} × ${i.quantity}${i.unit} · ${formatFen(i.amountFen ?? 0)}`))),
          timeline(r),
          comment,
          h('div', { class: 'toolbar' }, actionButton(t('workflow.inbox.approve'), 'inbox-approve', decide('approve')), actionButton(t('workflow.inbox.return'), 'inbox-return', decide('return')), actionButton(t('workflow.inbox.reject'), 'inbox-reject', decide('reject'), 'wf-danger')),
        );
      }),
    );
    if (stale()) return;
    mount(root, h('h1', {}, t('workflow.inbox.title')), flash, cards.length ? cards : h('p', { class: 'muted', 'data-testid': 'inbox-empty' }, t('workflow.inbox.empty')));
  });
  void load().catch((e) => mount(root, h('p', { class: 'error' }, errorText(e))));
  // A step reaching my inbox (or leaving it) arrives on my own channel: reload while shown.
  const off = live.onMessage((m: { type?: string }) => {
    if (!root.isConnected) return off(); // the page was left (views mount synchronously)
    if (m.type === 'approval.pending' || m.type === 'requisition.updated') void load().catch(() => undefined);
  });
  return root;
}
