// Invitational tender screens: the invitation panel on the project page (the draw or the
// prequalification, counts and the draw's commitment; never who before the bids close) and the
// supplier's own invitations to bid (and the open prequalifications it may apply to).
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t } from '../../i18n';
import { hasRole } from '../../session';
import { actionButton, errorText, statusBadge, when } from '../workflow/common';

interface DrawRecord { id: number; status: string; commitment: string; revealAt: string; invitedCount: number }
interface Summary { invitedCount: number; draws: DrawRecord[]; prequalification: { applied: number; qualified: number; rejected: number } }
interface Application { id: number; supplierId: number; name: string; statement: string; status: string; reason: string | null }

const field = (label: string, el: HTMLElement) => h('label', {}, label, el);

/** The project page's panel for an invitational tender. */
export function invitationPanel(p: { id: number; method: string; stage: string }, reload: () => Promise<void>): HTMLElement | null {
  if (p.method !== 'invitational_tender' || !hasRole('operator', 'supervisor', 'admin', 'purchaser')) return null;
  const root = h('div', { class: 'wf-panel', 'data-testid': 'invitation-panel' }, h('p', { class: 'muted' }, '…'));
  void (async () => {
    const s = await api<Summary>('GET', `/api/projects/${p.id}/invitations`);
    const operator = hasRole('operator');
    const parts: Array<HTMLElement | null> = [h('h2', {}, t('inv.title'))];
    parts.push(h('p', { 'data-testid': 'inv-count', 'data-count': String(s.invitedCount) }, s.invitedCount ? t('inv.invited', { n: s.invitedCount }) : t('inv.none')));
    for (const d of s.draws) {
      const verdict = h('span', { 'data-testid': 'inv-verdict' });
      parts.push(
        h(
          'div',
          { class: 'wf-inline', 'data-testid': 'inv-draw-record', 'data-status': d.status },
          statusBadge('inv.status', d.status),
          h('span', {}, ` ${t('inv.commitment')}: `, h('code', { 'data-testid': 'inv-commitment' }, d.commitment.slice(0, 16) + '…')),
          h('span', {}, ` ${t('inv.revealAt')}: ${when(d.revealAt)}`),
          d.status === 'revealed'
            ? actionButton(t('inv.verify'), 'inv-verify', async () => {
                const v = await api<{ ok: boolean }>('GET', `/api/public/supplier-draws/${d.id}/verify`);
                verdict.textContent = v.ok ? t('inv.verified') : t('inv.verifyFailed');
                verdict.dataset.ok = String(v.ok);
              })
            : null,
          verdict,
        ),
      );
    }
    if (s.draws.some((d) => d.status === 'revealed') || s.prequalification.applied) {
      // After the bids close everyone entitled reads the list; before, the request is refused (and audited), so it is not asked.
      if (s.draws.every((d) => d.status === 'revealed') && s.draws.length) {
        const list = await api<{ items: Array<{ supplierId: number; name: string }> }>('GET', `/api/projects/${p.id}/invitations/list`);
        parts.push(h('h3', {}, t('inv.list')), h('ul', { 'data-testid': 'inv-list' }, list.items.map((x) => h('li', {}, x.name))));
      }
    }
    if (operator && p.stage === 'documents_prepared') {
      const count = h('input', { type: 'number', min: '1', value: '5', 'data-testid': 'inv-count-input' }) as HTMLInputElement;
      const exclude = h('input', { 'data-testid': 'inv-exclude' }) as HTMLInputElement;
      const ids = () => exclude.value.split(/[,，\s]+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 0);
      parts.push(h('div', { class: 'wf-inline' }, field(t('inv.count'), count), field(t('inv.exclude'), exclude), actionButton(t('inv.draw'), 'inv-draw', async () => { await api('POST', `/api/projects/${p.id}/invitations/draw`, { count: Number(count.value), ...(ids().length ? { excludeSupplierIds: ids() } : {}) }); await reload(); })));
      const deadline = h('input', { type: 'datetime-local', 'data-testid': 'inv-prequal-deadline' }) as HTMLInputElement;
      const conditions = h('textarea', { rows: 2, 'data-testid': 'inv-prequal-conditions' }) as HTMLTextAreaElement;
      parts.push(h('h3', {}, t('inv.prequal')), h('div', { class: 'wf-inline' }, field(t('inv.prequal.deadline'), deadline), field(t('inv.prequal.conditions'), conditions), actionButton(t('inv.prequal.publish'), 'inv-prequal', async () => { await api('POST', `/api/projects/${p.id}/prequalification`, { deadlineAt: deadline.value ? new Date(deadline.value).toISOString() : '', conditions: conditions.value }); await reload(); })));
    }
    if (p.stage === 'prequalification' || s.prequalification.applied) parts.push(h('p', { 'data-testid': 'inv-prequal-counts' }, t('inv.prequal.counts', s.prequalification)));
    if (operator && p.stage === 'prequalification') {
      const apps = await api<{ items: Application[] }>('GET', `/api/projects/${p.id}/prequalification/applications`);
      parts.push(
        h('h3', {}, t('inv.prequal.applications')),
        apps.items.length
          ? h(
              'ul',
              { 'data-testid': 'inv-applications' },
              apps.items.map((a) => {
                const reason = h('input', { 'aria-label': t('inv.prequal.reason'), 'data-testid': 'inv-reason' }) as HTMLInputElement;
                const decide = (qualified: boolean) => async () => { await api('POST', `/api/projects/${p.id}/prequalification/applications/${a.supplierId}/decision`, qualified ? { qualified } : { qualified, reason: reason.value }); await reload(); };
                return h('li', { 'data-testid': 'inv-application', 'data-status': a.status }, `${a.name} · ${a.statement} `, statusBadge('inv.prequal.status', a.status), a.status === 'applied' ? h('span', { class: 'wf-inline' }, actionButton(t('inv.prequal.qualify'), 'inv-qualify', decide(true)), reason, actionButton(t('inv.prequal.reject'), 'inv-reject', decide(false), 'wf-danger')) : null);
              }),
            )
          : h('p', { class: 'muted' }, t('inv.prequal.noApplications')),
        actionButton(t('inv.prequal.invite'), 'inv-invite', async () => { await api('POST', `/api/projects/${p.id}/prequalification/invite`); await reload(); }),
      );
    }
    if (p.stage === 'suppliers_invited') parts.push(h('p', { class: 'muted', 'data-testid': 'inv-next' }, t('inv.next'), ' ', h('a', { href: '/tenders', 'data-link': '' }, t('inv.toTenders'))));
    mount(root, parts);
  })().catch((e) => mount(root, h('p', { class: 'error' }, errorText(e))));
  return root;
}

interface MyInvitation { id: number; subjectId: number; source: string; projectRef: string | null; title: string | null; tenderId: number | null; bidDeadline: string | null; invitedAt: string }
interface OpenPrequal { projectId: number; ref: string; title: string; deadlineAt: string; applied: boolean }

/** The supplier's invitations to bid, and the prequalifications it may apply to. */
export function mySupplierInvitationsView(): HTMLElement {
  const root = h('section', { 'data-testid': 'supplier-invitations' }, h('p', { class: 'muted' }, '…'));
  const load = async () => {
    const [mine, prequals] = await Promise.all([api<{ items: MyInvitation[] }>('GET', '/api/my/supplier-invitations'), api<{ items: OpenPrequal[] }>('GET', '/api/prequalifications')]);
    mount(
      root,
      h('h1', {}, t('inv.my.title')),
      mine.items.length
        ? h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              {},
              h('thead', {}, h('tr', {}, ['inv.my.project', 'inv.my.source', 'inv.my.invitedAt', 'inv.my.deadline', ''].map((k) => h('th', {}, k ? t(k) : '')))),
              h(
                'tbody',
                {},
                mine.items.map((m) =>
                  h(
                    'tr',
                    { 'data-testid': 'supplier-invitation', 'data-project-id': String(m.subjectId) },
                    h('td', {}, `${m.projectRef ?? ''} ${m.title ?? ''}`),
                    h('td', {}, t(`inv.my.source.${m.source}`)),
                    h('td', {}, when(m.invitedAt)),
                    h('td', {}, m.bidDeadline ? when(m.bidDeadline) : '—'),
                    h('td', {}, m.tenderId ? h('a', { href: `/tenders/${m.tenderId}`, 'data-link': '', 'data-testid': 'inv-open-tender' }, t('inv.my.open')) : h('span', { class: 'muted' }, t('inv.my.notYet'))),
                  ),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted', 'data-testid': 'supplier-invitations-empty' }, t('inv.my.empty')),
      h('h2', {}, t('inv.my.prequals')),
      prequals.items.length
        ? h(
            'ul',
            { 'data-testid': 'open-prequalifications' },
            prequals.items.map((q) => {
              const statement = h('textarea', { rows: 2, 'aria-label': t('inv.my.statement'), 'data-testid': 'prequal-statement' }) as HTMLTextAreaElement;
              return h('li', { 'data-testid': 'open-prequalification', 'data-project-id': String(q.projectId) }, `${q.ref} ${q.title} · ${t('inv.prequal.deadline')} ${when(q.deadlineAt)} `, q.applied ? h('span', { 'data-testid': 'prequal-applied' }, t('inv.my.applied')) : h('span', { class: 'wf-inline' }, statement, actionButton(t('inv.my.apply'), 'prequal-apply', async () => { await api('POST', `/api/projects/${q.projectId}/prequalification/apply`, { statement: statement.value }); await load(); })));
            }),
          )
        : h('p', { class: 'muted' }, t('inv.my.noPrequals')),
    );
  };
  void load().catch((e) => mount(root, h('p', { class: 'error' }, errorText(e))));
  return root;
}
