// Procurement centre desk (deadlines due, projects by method and stage, cycle times) and the
// project page with its stage history and the next legal step for the current role.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, formatFen, locale } from '../../i18n';
import { hasRole } from '../../session';
import { pagedTable } from '../table';
import { actionButton, errorText, statusBadge, when, yuanToFen } from './common';
import { platformStatusPanel } from '../platform/status';
import { provisionalMark } from '../calendar/marks';
import { invitationPanel } from '../invitations/views';

interface Project { id: number; ref: string; title: string; orgNameZh: string; orgNameEn: string; method: string; stage: string; budgetFen: number; deadlineAt: string | null; deadlineProvisional?: boolean; awardFen: number | null; awardedSupplierName: string | null; failureReason: string | null }
interface StageRow { stage: string; enteredAt: string; exitedAt: string | null; dueAt: string | null; overdueAt: string | null; dueProvisional?: boolean }
interface ProjectDetail extends Project {
  path: string[];
  stages: StageRow[];
  contract: { id: number; ref: string; status: string; amountFen: number; purchaserSignedAt: string | null; supplierSignedAt: string | null } | null;
  payment: { ref: string; status: string; amountFen: number } | null;
  challenges: Array<{ id: number; supplierName?: string; summary: string; status: string; receivedAt: string; replyDueAt: string; replyDueProvisional?: boolean; reply: string | null; overdueAt: string | null }>;
}

const METHODS = ['public_tender', 'invitational_tender', 'online_price_competition', 'inquiry', 'competitive_negotiation', 'competitive_consultation', 'single_source'];
const STAGES = ['documents_prepared', 'prequalification', 'suppliers_invited', 'notice_published', 'bidding_open', 'opening', 'responses_open', 'justification_notice', 'negotiation', 'competition', 'evaluation', 'award_notice', 'challenge_period', 'contract', 'acceptance', 'payment', 'closed', 'failed'];

function projectTable(params: Record<string, string>) {
  return pagedTable<Project>({
    endpoint: '/api/projects',
    testId: 'projects',
    params,
    columns: [
      { key: 'workflow.proj.ref', cell: (p) => h('a', { href: `/projects/${p.id}`, 'data-link': '' }, p.ref) },
      { key: 'workflow.req.title', cell: (p) => p.title },
      { key: 'workflow.req.org', cell: (p) => (locale() === 'en' ? p.orgNameEn : p.orgNameZh) },
      { key: 'workflow.req.method', cell: (p) => t(`workflow.method.${p.method}`) },
      { key: 'workflow.proj.stage', cell: (p) => statusBadge('workflow.stage', p.stage) },
      { key: 'workflow.proj.budget', cell: (p) => formatFen(p.budgetFen), numeric: true },
      { key: 'workflow.proj.award', cell: (p) => (p.awardFen === null ? '' : formatFen(p.awardFen)), numeric: true },
    ],
  });
}

export function projectsView(): HTMLElement {
  return h('section', {}, h('h1', {}, t('workflow.nav.projects')), projectTable({}));
}

export function deskView(): HTMLElement {
  const deadlines = h('div', { 'data-testid': 'desk-deadlines' });
  const cycle = h('div', { 'data-testid': 'desk-cycle' });
  const list = h('div', {}, projectTable({}));
  const method = h('select', { 'data-testid': 'desk-method' }, h('option', { value: '' }, t('workflow.desk.allMethods')), METHODS.map((m) => h('option', { value: m }, t(`workflow.method.${m}`))));
  const stage = h('select', { 'data-testid': 'desk-stage' }, h('option', { value: '' }, t('workflow.desk.allStages')), STAGES.map((s) => h('option', { value: s }, t(`workflow.stage.${s}`))));
  const refilter = () => mount(list, projectTable({ ...(method.value ? { method: method.value } : {}), ...(stage.value ? { stage: stage.value } : {}) }));
  method.addEventListener('change', refilter);
  stage.addEventListener('change', refilter);
  void api<{ items: Array<StageRow & { projectId: number; ref: string; title: string; method: string }> }>('GET', '/api/projects/deadlines')
    .then((d) =>
      mount(
        deadlines,
        h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['workflow.proj.due', 'workflow.proj.ref', 'workflow.req.title', 'workflow.req.method', 'workflow.proj.stage'].map((k) => h('th', {}, t(k))))), h('tbody', {}, d.items.slice(0, 15).map((x) => h('tr', { class: x.overdueAt ? 'wf-overdue' : '' }, h('td', {}, when(x.dueAt), provisionalMark(x.dueProvisional), x.overdueAt ? h('span', { class: 'wf-badge wf-overdue' }, t('workflow.step.overdue')) : null), h('td', {}, h('a', { href: `/projects/${x.projectId}`, 'data-link': '' }, x.ref)), h('td', {}, x.title), h('td', {}, t(`workflow.method.${x.method}`)), h('td', {}, t(`workflow.stage.${x.stage}`))))))),
      ),
    )
    .catch((e) => mount(deadlines, h('p', { class: 'error' }, errorText(e))));
  void api<{ items: Array<{ method: string; stage: string; count: number; avgDays: number }> }>('GET', '/api/projects/cycle-times')
    .then((d) => mount(cycle, h('div', { class: 'table-wrap' }, h('table', {}, h('tbody', {}, d.items.map((x) => h('tr', {}, h('td', {}, t(`workflow.method.${x.method}`)), h('td', {}, t(`workflow.stage.${x.stage}`)), h('td', { class: 'num' }, String(x.avgDays)), h('td', { class: 'num muted' }, `n=${x.count}`))))))))
    .catch(() => undefined);
  return h(
    'section',
    { 'data-testid': 'desk' },
    h('h1', {}, t('workflow.desk.title')),
    platformStatusPanel('board-card'),
    h('h2', {}, t('workflow.desk.deadlines')),
    deadlines,
    h('h2', {}, t('workflow.desk.projects')),
    h('div', { class: 'filters' }, h('label', {}, t('workflow.req.method'), method), h('label', {}, t('workflow.proj.stage'), stage)),
    list,
    h('h2', {}, t('workflow.desk.cycle')),
    cycle,
  );
}

const field = (label: string, el: HTMLElement) => h('label', {}, label, el);
const inputIso = () => h('input', { type: 'datetime-local', 'data-testid': 'proj-deadline' });

/** The operator's form for the step the project's method expects now. */
function operatorActions(p: ProjectDetail, reload: () => Promise<void>): HTMLElement | null {
  const post = (path: string, body?: unknown) => async () => {
    await api('POST', `/api/projects/${p.id}/${path}`, body);
    await reload();
  };
  const deadline = inputIso();
  const iso = () => (deadline.value ? new Date(deadline.value).toISOString() : undefined);
  const valid = h('input', { type: 'number', min: '0', value: '3', 'data-testid': 'proj-valid' });
  const supplier = h('input', { type: 'number', min: '1', 'data-testid': 'proj-supplier' });
  const amount = h('input', { inputmode: 'decimal', 'data-testid': 'proj-amount' });
  const fen = () => yuanToFen(amount.value) ?? -1;
  const reason = h('input', { 'data-testid': 'proj-reason' });
  const failure = h('div', { class: 'wf-inline' }, field(t('workflow.proj.reason'), reason), actionButton(t('workflow.proj.failure'), 'proj-fail', async () => post('failure', { reason: reason.value })(), 'wf-danger'));
  const result = (path: 'result' | 'negotiation') =>
    h('div', { class: 'wf-inline' }, path === 'result' ? field(t('workflow.proj.valid'), valid) : null, field(t('workflow.proj.supplierId'), supplier), field(t('workflow.proj.amount'), amount), actionButton(t(`workflow.proj.${path}`), `proj-${path}`, async () => post(path, path === 'result' ? { validResponses: Number(valid.value), supplierId: Number(supplier.value), amountFen: fen() } : { supplierId: Number(supplier.value), amountFen: fen() })()));
  switch (p.stage) {
    case 'documents_prepared':
    case 'prequalification':
    case 'suppliers_invited':
      // An invitational tender's first steps are on its invitation panel; its tender is published from the tender desk.
      if (p.method === 'invitational_tender') return null;
      if (p.method === 'public_tender') return h('div', { class: 'wf-inline' }, field(t('workflow.proj.deadlineAt'), deadline), actionButton(t('workflow.proj.notice'), 'proj-notice', async () => post('notice', { deadlineAt: iso() })()));
      if (p.method === 'single_source') return actionButton(t('workflow.proj.justification'), 'proj-justification', post('justification'));
      return h('div', { class: 'wf-inline' }, field(t('workflow.proj.deadlineAt'), deadline), actionButton(t('workflow.proj.documents'), 'proj-documents', async () => post('documents', { deadlineAt: iso() })()));
    case 'notice_published':
      return actionButton(t('workflow.proj.documents'), 'proj-documents', post('documents', {}));
    case 'bidding_open':
    case 'responses_open':
      return h('div', {}, h('p', { class: 'muted' }, t('workflow.proj.waitJob')), actionButton(t('workflow.proj.close'), 'proj-close', post('close')));
    case 'opening': {
      const bids = h('input', { type: 'number', min: '0', value: '3', 'data-testid': 'proj-bids' });
      return h('div', { class: 'wf-inline' }, field(t('workflow.proj.bids'), bids), actionButton(t('workflow.proj.opening'), 'proj-opening', async () => post('opening', { bidsReceived: Number(bids.value) })()));
    }
    case 'evaluation':
    case 'competition':
      return h('div', {}, result('result'), failure);
    case 'negotiation':
      return h('div', {}, result('negotiation'), failure);
    case 'justification_notice':
    case 'award_notice':
    case 'challenge_period':
      return h('p', { class: 'muted' }, t('workflow.proj.waitJob'));
    default:
      return null;
  }
}

function challengesPanel(p: ProjectDetail, reload: () => Promise<void>): HTMLElement | null {
  const canFile = hasRole('operator') && ['award_notice', 'challenge_period'].includes(p.stage);
  if (!p.challenges.length && !canFile) return null;
  const supplier = h('input', { type: 'number', min: '1', 'data-testid': 'challenge-supplier' });
  const summary = h('input', { 'data-testid': 'challenge-summary' });
  return h(
    'div',
    { class: 'wf-panel', 'data-testid': 'challenges' },
    h('h2', {}, t('workflow.challenge.title')),
    h(
      'ul',
      {},
      p.challenges.map((c) => {
        const reply = h('input', { 'data-testid': 'challenge-reply' });
        const answer = (upheld: boolean) => async () => {
          await api('POST', `/api/projects/${p.id}/challenges/${c.id}/reply`, { upheld, reply: reply.value });
          await reload();
        };
        return h(
          'li',
          {},
          statusBadge('workflow.challenge.status', c.status),
          c.overdueAt ? h('span', { class: 'wf-badge wf-overdue' }, t('workflow.step.overdue')) : null,
          ` ${c.supplierName ?? ''} · ${when(c.receivedAt)} · ${c.summary}`,
          c.status === 'open' ? h('div', { class: 'muted' }, t('workflow.step.due', { time: when(c.replyDueAt) }), provisionalMark(c.replyDueProvisional)) : h('div', { class: 'muted' }, c.reply ?? ''),
          c.status === 'open' && hasRole('operator') ? h('div', { class: 'wf-inline' }, field(t('workflow.challenge.reply'), reply), actionButton(t('workflow.challenge.dismiss'), 'challenge-dismiss', answer(false)), actionButton(t('workflow.challenge.uphold'), 'challenge-uphold', answer(true), 'wf-danger')) : null,
        );
      }),
    ),
    canFile ? h('div', { class: 'wf-inline' }, field(t('workflow.proj.supplierId'), supplier), field(t('workflow.challenge.summary'), summary), actionButton(t('workflow.challenge.file'), 'challenge-file', async () => { await api('POST', `/api/projects/${p.id}/challenges`, { supplierId: Number(supplier.value), summary: summary.value }); await reload(); })) : null,
  );
}

function contractPanel(p: ProjectDetail, reload: () => Promise<void>): HTMLElement | null {
  if (!['contract', 'acceptance', 'payment', 'closed'].includes(p.stage)) return null;
  const c = p.contract;
  const terms = h('textarea', { rows: 3, 'data-testid': 'contract-terms' }, '按采购文件及成交结果签订。');
  const note = h('input', { 'data-testid': 'contract-note' });
  const parts: Array<HTMLElement | null> = [h('h2', {}, t('workflow.contract.title'), c ? ` ${c.ref} ` : '', c ? statusBadge('workflow.contract.status', c.status) : null)];
  if (!c && hasRole('operator', 'purchaser')) parts.push(field(t('workflow.contract.terms'), terms), actionButton(t('workflow.contract.draft'), 'contract-draft', async () => { await api('POST', '/api/contracts', { projectId: p.id, terms: terms.value }); await reload(); }));
  if (c) {
    parts.push(h('p', {}, formatFen(c.amountFen)));
    const canSign = (hasRole('purchaser') && !c.purchaserSignedAt) || (hasRole('supplier') && !c.supplierSignedAt);
    if (canSign && c.status !== 'signed' && c.status !== 'accepted') parts.push(actionButton(t('workflow.contract.sign'), 'contract-sign', async () => { await api('POST', `/api/contracts/${c.id}/sign`); await reload(); }));
    if (hasRole('purchaser') && c.status === 'signed') parts.push(h('div', { class: 'wf-inline' }, field(t('workflow.contract.acceptNote'), note), actionButton(t('workflow.contract.accept'), 'contract-accept', async () => { await api('POST', `/api/contracts/${c.id}/acceptance`, { note: note.value }); await reload(); })));
  }
  if (p.payment) parts.push(h('p', { 'data-testid': 'payment-status' }, t('workflow.payment.title', { ref: p.payment.ref, status: t(`workflow.payment.${p.payment.status}`) })));
  if (p.payment?.status === 'rejected' && hasRole('purchaser')) {
    const fix = h('input', { 'data-testid': 'payment-fix' });
    const ref = p.payment.ref;
    parts.push(h('div', { class: 'wf-inline' }, field(t('workflow.payment.fixed'), fix), actionButton(t('workflow.payment.resubmit'), 'payment-resubmit', async () => { await api('POST', `/api/payment-requests/${ref}/resubmit`, { note: fix.value }); await reload(); })));
  }
  return h('div', { class: 'wf-panel' }, parts);
}

export function projectView(params: Record<string, string>): HTMLElement {
  const root = h('section', { 'data-testid': 'project' }, h('p', { class: 'muted' }, '…'));
  const load = async () => {
    const p = await api<ProjectDetail>('GET', `/api/projects/${params.id}`);
    const byStage = new Map(p.stages.map((s) => [s.stage, s]));
    mount(
      root,
      h('h1', {}, `${p.ref} · ${p.title}`),
      h('p', {}, t(`workflow.method.${p.method}`), ' · ', statusBadge('workflow.stage', p.stage)),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('workflow.req.org')), h('dd', {}, locale() === 'en' ? p.orgNameEn : p.orgNameZh),
        h('dt', {}, t('workflow.proj.budget')), h('dd', {}, formatFen(p.budgetFen)),
        p.deadlineAt ? [h('dt', {}, t('workflow.proj.deadline')), h('dd', {}, when(p.deadlineAt), provisionalMark(p.deadlineProvisional))] : null,
        p.awardFen !== null ? [h('dt', {}, t('workflow.proj.award')), h('dd', {}, formatFen(p.awardFen), ' · ', p.awardedSupplierName ?? '')] : null,
      ),
      p.failureReason ? h('p', { class: 'error' }, t('workflow.proj.failed', { reason: p.failureReason })) : null,
      h('h2', {}, t('workflow.proj.stages')),
      h(
        'ol',
        { class: 'wf-timeline', 'data-testid': 'project-stages' },
        // A failed project shows the stages it went through; a live one its whole legal path.
        (p.stage === 'failed' ? p.stages.map((s) => s.stage) : p.path).map((st) => {
          const row = byStage.get(st);
          return h(
            'li',
            { class: row?.exitedAt ? 'wf-done' : row ? 'wf-now' : '' },
            h('strong', {}, t(`workflow.stage.${st}`)),
            row ? ` ${t('workflow.proj.entered')} ${when(row.enteredAt)}` : '',
            row?.exitedAt ? ` · ${t('workflow.proj.exited')} ${when(row.exitedAt)}` : '',
            row?.dueAt && !row.exitedAt ? ` · ${t('workflow.step.due', { time: when(row.dueAt) })}` : '',
            row?.dueAt && !row.exitedAt ? provisionalMark(row.dueProvisional) : null,
            row?.overdueAt ? h('span', { class: 'wf-badge wf-overdue' }, t('workflow.step.overdue')) : null,
          );
        }),
      ),
      (() => {
        const next = hasRole('operator') ? operatorActions(p, load) : null;
        return next ? h('div', { class: 'wf-panel', 'data-testid': 'project-actions' }, h('h2', {}, t('workflow.proj.actions')), next) : null;
      })(),
      invitationPanel(p, load),
      challengesPanel(p, load),
      contractPanel(p, load),
    );
  };
  void load().catch((e) => mount(root, h('p', { class: 'error' }, errorText(e))));
  return root;
}
