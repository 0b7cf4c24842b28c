// Finance bureau page: payment requests sent to the treasury, and the delivery state of the
// messages to the finance system (attempts, next retry, last error).
import { h } from '../../dom';
import { t, formatFen, locale } from '../../i18n';
import { pagedTable } from '../table';
import { actionName } from '../../names';
import { statusBadge, when } from './common';

interface PaymentRequest { ref: string; contractRef: string; projectRef: string; projectTitle: string; orgNameZh: string; orgNameEn: string; budgetLineCode: string; supplierName: string; amountFen: number; status: string; treasuryRef: string | null; requestedAt: string; paidAt: string | null }
interface OutboxRow { eventId: string; type: string; status: string; attempts: number; nextAttemptAt: string | null; lastError: string | null; createdAt: string; deliveredAt: string | null }

export function paymentsView(): HTMLElement {
  return h(
    'section',
    { 'data-testid': 'payments' },
    h('h1', {}, t('workflow.nav.payments')),
    pagedTable<PaymentRequest>({
      endpoint: '/api/payment-requests',
      testId: 'payment-requests',
      columns: [
        { key: 'workflow.payment.ref', cell: (p) => p.ref },
        { key: 'workflow.proj.ref', cell: (p) => `${p.projectRef} · ${p.projectTitle}` },
        { key: 'workflow.req.org', cell: (p) => (locale() === 'en' ? p.orgNameEn : p.orgNameZh) },
        { key: 'workflow.req.budgetLine', cell: (p) => p.budgetLineCode },
        { key: 'workflow.proj.supplier', cell: (p) => p.supplierName },
        { key: 'workflow.req.total', cell: (p) => formatFen(p.amountFen), numeric: true },
        { key: 'workflow.req.status', cell: (p) => statusBadge('workflow.payment', p.status) },
        { key: 'workflow.payment.requestedAt', cell: (p) => when(p.requestedAt) },
        { key: 'workflow.payment.paidAt', cell: (p) => when(p.paidAt) },
      ],
    }),
    h('h2', {}, t('workflow.outbox.title')),
    pagedTable<OutboxRow>({
      endpoint: '/api/finance/outbox',
      testId: 'finance-outbox',
      columns: [
        { key: 'workflow.outbox.created', cell: (o) => when(o.createdAt) },
        { key: 'workflow.outbox.type', cell: (o) => actionName(o.type) },
        { key: 'workflow.req.status', cell: (o) => statusBadge('workflow.outbox.status', o.status) },
        { key: 'workflow.outbox.attempts', cell: (o) => String(o.attempts), numeric: true },
        { key: 'workflow.outbox.next', cell: (o) => (o.status === 'delivered' ? when(o.deliveredAt) : when(o.nextAttemptAt)) },
        { key: 'workflow.outbox.error', cell: (o) => (o.lastError === null ? '' : o.lastError === 'no webhook registered' ? t('name.outbox.noWebhook') : h('span', { title: o.lastError }, t('name.outbox.failed'))) },
      ],
    }),
  );
}
