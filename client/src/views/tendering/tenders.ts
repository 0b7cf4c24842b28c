// The tendering pages: the list of tenders this user may see, and one tender with the panel for
// the user's part in it (operator, bidder, committee member, purchasing unit).
import { h, mount, newestOnly } from '../../dom';
import { api } from '../../api';
import { t, locale } from '../../i18n';
import { hasRole, session } from '../../session';
import { pagedTable } from '../table';
import { live } from '../../main';
import { badge, docText, errorText, money, reasonText, table, when } from './ui';
import { bidForm, decryptForm, decryptionOutcome, explanationForm } from './bid-panel';
import { evaluationPanel } from './evaluation-panel';
import { newTenderForm, operatorActions } from './operator-panel';
import { awardPanel, awardSummary } from './award-panel';
import { rankingTable } from './ranking';
import type { TenderDetail } from './types';
import './tendering.css';

interface TenderSummary { id: number; reference: string; title: string; kind: string; method: string; budgetFen: number; status: string; bidDeadline: string; openingAt: string }

export function tendersView(): HTMLElement {
  const root = h('section', { 'data-testid': 'tenders' }, h('h1', {}, t('tendering.list.title')));
  const go = (id: number) => {
    history.pushState({}, '', `/tenders/${id}`);
    dispatchEvent(new PopStateEvent('popstate'));
  };
  if (hasRole('operator')) {
    const slot = h('div', {});
    root.append(h('p', {}, h('button', { type: 'button', 'data-testid': 'tender-new-open', onclick: () => mount(slot, newTenderForm(go)) }, t('tendering.new'))), slot);
  }
  root.append(
    pagedTable<TenderSummary>({
      endpoint: '/api/tenders',
      testId: 'tender-list',
      columns: [
        { key: 'tendering.ref', cell: (r) => h('a', { href: `/tenders/${r.id}`, 'data-link': '', 'data-testid': `tender-link-${r.id}` }, r.reference) },
        { key: 'tendering.title', cell: (r) => r.title },
        { key: 'tendering.kind', cell: (r) => t(`tendering.kind.${r.kind}`) },
        { key: 'tendering.budget', cell: (r) => money(r.budgetFen), numeric: true },
        { key: 'tendering.deadline', cell: (r) => when(r.bidDeadline) },
        { key: 'tendering.status', cell: (r) => badge('tendering.status', r.status) },
      ],
    }),
  );
  return root;
}

export function tenderView(params: Record<string, string>): HTMLElement {
  const root = h('section', { class: 'tender', 'data-testid': 'tender-detail' });
  const id = Number(params.id);
  let watching = false;
  const load = newestOnly(async (stale) => {
    try {
      const d = await api<TenderDetail>('GET', `/api/tenders/${id}`);
      if (stale()) return;
      mount(root, ...page(d, () => void load()));
      root.dataset.status = d.status;
      if (!watching) {
        // Status changes, the opening's counts and the opening record arrive live on the tender's
        // channel; the bidder's own status on its own.
        watching = true;
        live.subscribe(`tender:${id}`);
        const off = live.onMessage((m) => {
          if (!root.isConnected) return off();
          if (m.tenderId === id && ['tender.changed', 'tender.opening_progress', 'tender.my_bid', 'tender.opening_record'].includes(m.type as string)) void load();
        });
      }
    } catch (e) {
      if (!stale()) mount(root, h('p', { class: 'error' }, errorText(e)));
    }
  });
  void load();
  return root;
}

type Child = Parameters<typeof mount>[1];
function page(d: TenderDetail, reload: () => void): Child[] {
  const supplier = hasRole('supplier') && !!session.user?.supplierId;
  const myCurrent = d.myBids?.find((b) => ['sealed', 'decrypted', 'invalid', 'disqualified'].includes(b.status));
  return [
    h('p', {}, h('a', { href: '/tenders', 'data-link': '' }, t('tendering.back')), ' ', h('button', { type: 'button', onclick: reload, 'data-testid': 'tender-refresh' }, t('tendering.refresh'))),
    h('h1', {}, `${d.title} `, badge('tendering.status', d.status)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('tendering.ref')), h('dd', { 'data-testid': 'tender-reference' }, d.reference),
      h('dt', {}, t('tendering.kind')), h('dd', {}, t(`tendering.kind.${d.kind}`)),
      h('dt', {}, t('tendering.budget')), h('dd', {}, money(d.budgetFen)),
      h('dt', {}, t('tendering.method')), h('dd', {}, t(`tendering.method.${d.method}`), d.method === 'comprehensive' ? ` · ${t('tendering.priceWeight')} ${d.priceWeight}%` : ''),
      h('dt', {}, t('tendering.smeDeduction')), h('dd', {}, `${d.smeDeductionPct}%`),
      h('dt', {}, t('tendering.deadline')), h('dd', { 'data-testid': 'tender-deadline' }, when(d.bidDeadline)),
      h('dt', {}, t('tendering.opening')), h('dd', {}, when(d.openingAt)),
      d.failureReason ? [h('dt', {}, t('tendering.status')), h('dd', { 'data-testid': 'tender-failure' }, t(`tendering.failure.${d.failureReason}`))] : null,
    ),
    awardSummary(d),
    h('p', {}, d.description),
    h('h2', {}, t('tendering.requirements')),
    h('ul', {}, d.requirements.map((r) => h('li', {}, docText(r.text)))),
    h('h2', {}, t('tendering.qualifications')),
    h('ul', {}, d.qualifications.map((q) => h('li', {}, docText(q.text)))),
    d.criteria.length ? [h('h2', {}, t('tendering.criteria')), h('ul', {}, d.criteria.map((c) => h('li', {}, `${docText(c.name)}${locale() === 'en' ? ': ' : '：'}${t('tendering.criterion.weight', { weight: c.weight })}`)))] : null,
    hasRole('operator') ? operatorActions(d, reload) : null,
    supplier && d.status === 'published' ? bidForm(d, reload) : null,
    supplier && d.status === 'opening' && myCurrent?.status === 'sealed' ? decryptForm(d, reload) : null,
    supplier && myCurrent && myCurrent.status !== 'sealed' ? decryptionOutcome(myCurrent) : null,
    supplier && d.status === 'evaluation' && myCurrent?.abnormalStatus === 'explanation_requested' ? explanationForm(d, reload) : null,
    supplier && d.status !== 'published' && d.myBids?.length ? table([t('tendering.bid.receiptNo'), t('tendering.submittedAt'), t('tendering.status'), t('tendering.price'), t('tendering.reason')], d.myBids.map((b) => [b.receiptNo, when(b.submittedAt), t(`tendering.bid.status.${b.status}`), money(b.priceFen), reasonText(b.invalidReason)]), 'tender-my-bids') : null,
    d.openingProgress ? openingProgress(d) : null,
    d.openingRecord ? openingRecord(d) : null,
    // Before the award the purchasing unit and the centre confirm from the report (the award panel shows the ranking).
    d.evaluation && !(d.status === 'evaluated' && mayAward(d)) ? results(d) : null,
    hasRole('expert') && d.onCommittee && ['evaluation', 'report_confirmation', 'evaluated', 'awarded'].includes(d.status) ? evaluationPanel(d, reload) : null,
    d.status === 'evaluated' && mayAward(d) ? awardPanel(d, reload) : null,
    h('h2', {}, t('tendering.notices')),
    h('ul', { 'data-testid': 'tender-notices' }, d.notices.map((n) => h('li', {}, h('span', { class: 'tag' }, t(`tendering.notice.kind.${n.kind}`)), ` ${n.title} · ${when(n.publishedAt)}`, n.deadlineAfter ? ` · ${t('tendering.notice.extended', { time: when(n.deadlineAfter) })}` : ''))),
  ];
}

/** During the window: how many bids are resolved and pending, never whose or at what price. */
function openingProgress(d: TenderDetail): HTMLElement {
  const p = d.openingProgress!;
  return h(
    'section',
    { 'data-testid': 'tender-opening-progress' },
    h('h2', {}, t('tendering.openingRecord')),
    h('p', { 'data-testid': 'tender-opening-counts' }, t('tendering.opening.progress', { resolved: p.resolved, bids: p.bids, pending: p.pending })),
    d.decryptionEndsAt ? h('p', {}, `${t('tendering.decryptionEnds')}: ${when(d.decryptionEndsAt)}`) : null,
    h('p', { class: 'muted small' }, t('tendering.opening.sealedNote')),
  );
}

function openingRecord(d: TenderDetail): HTMLElement {
  return h(
    'section',
    {},
    h('h2', {}, t('tendering.openingRecord')),
    table(
      [t('tendering.bidder'), t('tendering.bid.receiptNo'), t('tendering.submittedAt'), t('tendering.decryption'), t('tendering.price'), t('tendering.reason')],
      d.openingRecord!.map((l) => [l.supplierName ?? '', l.receiptNo, when(l.submittedAt), t(`tendering.decryption.${l.decryptionStatus}`), money(l.priceFen), reasonText(l.invalidReason)]),
      'tender-opening-record',
    ),
  );
}

/** The operator, or the purchasing unit's purchaser, confirms the result (the server checks the unit). */
const mayAward = (d: TenderDetail) => !!d.report && (hasRole('operator') || (hasRole('purchaser') && session.user?.orgId === d.purchasingOrgId));

function results(d: TenderDetail): HTMLElement {
  if (d.report) return h('section', {}, h('h2', {}, t('tendering.results')), rankingTable(d.report, 'tender-results', d.evaluation));
  const rows = [...d.evaluation!].sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99));
  return h(
    'section',
    {},
    h('h2', {}, t('tendering.results')),
    table(
      [t('tendering.rank'), t('tendering.bidder'), t('tendering.price'), t('tendering.evaluatedPrice'), t('tendering.priceScore'), t('tendering.techScore'), t('tendering.totalScore'), t('tendering.recommended'), t('tendering.reason')],
      rows.map((b) => [b.rank === null ? '' : String(b.rank), b.supplierName ?? '', money(b.priceFen), money(b.evaluatedPriceFen), b.priceScore?.toFixed(3) ?? '', b.techScore?.toFixed(3) ?? '', b.totalScore?.toFixed(3) ?? '', b.recommended ? '✓' : '', reasonText(b.disqualifiedReason ?? b.invalidReason)]),
      'tender-results',
    ),
  );
}
