// One expert: the operator's view (/experts/:id) and the expert's own (/my-expert) share it.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, formatTime, type MessageKey } from '../../i18n';
import { hasRole } from '../../session';
import { field, input, select, showError, errorLine } from '../suppliers/ui';

interface ExpertDetail {
  id: number;
  name: string;
  employerName: string;
  region: string;
  title: string;
  phone: string;
  email: string;
  status: string;
  statusReason: string | null;
  maxEvaluationsPerQuarter: number;
  rating: number;
  hasAccount: boolean;
  specialties: string[];
  evaluationsThisQuarter: number;
  leaves: Array<{ id: number; startsAt: string; endsAt: string; reason: string; cancelledAt: string | null; current: boolean }>;
  conflicts: Array<{ id: number; partyName: string | null; relation: string; note: string; until: string | null; withdrawnAt: string | null }>;
  evaluations: Array<{ id: number; projectRef: string; evaluationAt: string; rating: number | null; comment: string | null }>;
}

const RELATIONS = ['relative', 'former_employer', 'litigation', 'other'];

function expertPage(root: HTMLElement, endpoint: string, self: boolean): HTMLElement {
  const base = self ? '/api/my/expert' : endpoint;
  const load = async () => {
    const e = await api<ExpertDetail>('GET', endpoint);
    const err = errorLine();
    const act = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        await load();
      } catch (x) {
        showError(err, x);
      }
    };
    const operator = !self && hasRole('operator');
    const canWrite = self || operator;
    // Leave
    const lStart = input('leave-starts', { type: 'date', required: true });
    const lEnd = input('leave-ends', { type: 'date', required: true });
    const lReason = input('leave-reason', { required: true });
    const leaveForm = canWrite
      ? h(
          'form',
          { class: 'toolbar', onsubmit: (ev: Event) => { ev.preventDefault(); void act(() => api('POST', `${base}/leaves`, { startsAt: new Date(lStart.value + 'T00:00:00+08:00').toISOString(), endsAt: new Date(lEnd.value + 'T23:59:59+08:00').toISOString(), reason: lReason.value })); } },
          field(t('experts.leave.starts'), lStart), field(t('experts.leave.ends'), lEnd), field(t('experts.leave.reason'), lReason),
          h('button', { type: 'submit' }, t('experts.leave.add')),
        )
      : null;
    // Conflicts
    const kind = select('conflict-party', [['supplierId', t('experts.conflict.supplier')], ['orgId', t('experts.conflict.org')]]);
    const partyId = input('conflict-party-id', { type: 'number', min: 1, required: true });
    const relation = select('conflict-relation', RELATIONS.map((r) => [r, t(`experts.conflict.relation.${r}` as MessageKey)]));
    const note = input('conflict-note', { required: true });
    const until = input('conflict-until', { type: 'date' });
    const conflictForm = canWrite
      ? h(
          'form',
          {
            class: 'toolbar',
            onsubmit: (ev: Event) => {
              ev.preventDefault();
              void act(() => api('POST', `${base}/conflicts`, { [kind.value]: Number(partyId.value), relation: relation.value, note: note.value, until: until.value ? new Date(until.value + 'T00:00:00+08:00').toISOString() : null }));
            },
          },
          field(t('experts.conflict.party'), kind), field(t('experts.conflict.partyId'), partyId), field(t('experts.conflict.relation'), relation), field(t('experts.conflict.note'), note), field(t('experts.conflict.until'), until),
          h('button', { type: 'submit' }, t('experts.conflict.add')),
        )
      : null;
    // Status (operator) and own contact details (expert)
    const status = select('expert-status', (['active', 'suspended', 'disqualified'] as const).map((s) => [s, t(`expert.status.${s}` as MessageKey)]), e.status);
    const statusReason = input('expert-status-reason');
    status.setAttribute('aria-label', t('experts.col.status'));
    statusReason.setAttribute('aria-label', t('experts.status.reason'));
    const statusForm = operator
      ? h('form', { class: 'toolbar', onsubmit: (ev: Event) => { ev.preventDefault(); void act(() => api('POST', `${endpoint}/status`, { status: status.value, reason: statusReason.value })); } }, status, statusReason, h('button', { type: 'submit' }, t('experts.status.set')))
      : null;
    const accUser = input('account-username', { required: true });
    const accPass = input('account-password', { type: 'password', required: true, minlength: 10, autocomplete: 'new-password' });
    const accountForm =
      operator && !e.hasAccount
        ? h('form', { class: 'toolbar', onsubmit: (ev: Event) => { ev.preventDefault(); void act(() => api('POST', `${endpoint}/account`, { username: accUser.value, password: accPass.value })); } }, field(t('experts.account.username'), accUser), field(t('experts.account.password'), accPass), h('button', { type: 'submit' }, t('experts.account.create')))
        : !self && e.hasAccount
          ? h('p', { class: 'muted' }, t('experts.account.has'))
          : null;
    const phone = input('my-phone', { value: e.phone });
    const email = input('my-email', { value: e.email, type: 'email' });
    const title = input('my-title', { value: e.title });
    const ownForm = self
      ? h('form', { class: 'toolbar', onsubmit: (ev: Event) => { ev.preventDefault(); void act(() => api('PATCH', '/api/my/expert', { phone: phone.value, email: email.value, title: title.value })); } }, field(t('experts.phone'), phone), field(t('experts.email'), email), field(t('experts.col.title'), title), h('button', { type: 'submit' }, t('experts.my.save')))
      : null;
    mount(
      root,
      self ? null : h('p', {}, h('a', { href: '/experts', 'data-link': '' }, t('experts.back'))),
      h('h1', {}, e.name),
      err,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('experts.col.employer')), h('dd', {}, e.employerName),
        h('dt', {}, t('experts.col.title')), h('dd', {}, e.title),
        h('dt', {}, t('experts.region')), h('dd', {}, e.region),
        h('dt', {}, t('experts.phone')), h('dd', {}, e.phone),
        h('dt', {}, t('experts.email')), h('dd', {}, e.email),
        h('dt', {}, t('experts.specialties')), h('dd', {}, e.specialties.join(', ')),
        h('dt', {}, t('experts.col.status')), h('dd', { 'data-testid': 'expert-status-value' }, t(`expert.status.${e.status}` as MessageKey)),
        e.statusReason ? [h('dt', {}, t('experts.statusReason')), h('dd', {}, e.statusReason)] : null,
        h('dt', {}, t('experts.cap')), h('dd', {}, String(e.maxEvaluationsPerQuarter)),
        h('dt', {}, t('experts.thisQuarter')), h('dd', {}, String(e.evaluationsThisQuarter)),
        h('dt', {}, t('experts.col.rating')), h('dd', {}, e.rating.toFixed(2)),
      ),
      statusForm,
      accountForm,
      ownForm,
      h('h2', {}, t('experts.section.leaves')),
      e.leaves.length
        ? h('ul', { 'data-testid': 'leaves' }, e.leaves.map((l) =>
            h('li', {}, `${formatTime(l.startsAt)} – ${formatTime(l.endsAt)} · ${l.reason} `, l.cancelledAt ? h('em', {}, t('experts.leave.cancelled')) : l.current ? h('strong', {}, t('experts.leave.current')) : null,
              canWrite && !l.cancelledAt ? h('button', { onclick: () => act(() => api('POST', self ? `/api/my/expert/leaves/${l.id}/cancel` : `${endpoint}/leaves/${l.id}/cancel`)) }, t('experts.leave.cancel')) : null)))
        : h('p', { class: 'muted' }, t('experts.none')),
      leaveForm,
      h('h2', {}, t('experts.section.conflicts')),
      e.conflicts.length
        ? h('ul', { 'data-testid': 'conflicts' }, e.conflicts.map((c) =>
            h('li', {}, `${c.partyName ?? ''} · ${t(`experts.conflict.relation.${c.relation}` as MessageKey)} · ${c.note}${c.until ? ' · ' + formatTime(c.until) : ''} `, c.withdrawnAt ? h('em', {}, t('experts.conflict.withdrawn')) : null,
              operator && !c.withdrawnAt ? h('button', { onclick: () => act(() => api('POST', `${endpoint}/conflicts/${c.id}/withdraw`)) }, t('experts.conflict.withdraw')) : null)))
        : h('p', { class: 'muted' }, t('experts.none')),
      conflictForm,
      h('h2', {}, t('experts.section.evaluations')),
      e.evaluations.length
        ? h('ul', { 'data-testid': 'evaluations' }, e.evaluations.map((v) => {
            const score = input(`score-${v.id}`, { type: 'number', min: 0, max: 5, step: 0.1 });
            return h('li', {}, `${v.projectRef} · ${formatTime(v.evaluationAt)} · ${v.rating == null ? '' : v.rating.toFixed(1)} ${v.comment ?? ''}`,
              operator && v.rating == null ? h('span', { class: 'toolbar' }, score, h('button', { onclick: () => act(() => api('POST', `/api/expert-evaluations/${v.id}/rating`, { score: Number(score.value) })) }, t('experts.rate'))) : null);
          }))
        : h('p', { class: 'muted' }, t('experts.none')),
    );
  };
  void load().catch((x) => mount(root, h('p', { class: 'error' }, t('error.generic', { message: (x as Error).message }))));
  return root;
}

export function expertDetailView(params: Record<string, string>): HTMLElement {
  return expertPage(h('section', { 'data-testid': 'expert-detail' }), `/api/experts/${Number(params.id)}`, false);
}

export function myExpertView(): HTMLElement {
  return expertPage(h('section', { 'data-testid': 'my-expert' }), '/api/my/expert', true);
}
