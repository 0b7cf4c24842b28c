// The expert's own invitations (found by their tag on the server): accept or decline.
import { h, mount, newestOnly } from '../../dom';
import { api } from '../../api';
import { t, formatTime, locale, type MessageKey } from '../../i18n';
import { live } from '../../main';
import { showError, errorLine } from '../suppliers/ui';

interface Invitation {
  id: number;
  projectRef: string;
  specialty: string;
  evaluationAt: string;
  evaluationPlace: string;
  deadlineAt: string;
  status: string;
  drawStatus: string;
}

export function myInvitationsView(): HTMLElement {
  const root = h('section', { 'data-testid': 'my-invitations' });
  // The answer just given, confirmed above the list after it reloads.
  let answered: { text: string } | null = null;
  // Specialties are catalogue codes: shown by their names.
  let names: Map<string, string> | null = null;
  const load = newestOnly(async (stale) => {
    const [{ items }, catalogue] = await Promise.all([
      api<{ items: Invitation[] }>('GET', '/api/my/invitations'),
      names ? null : api<{ items: Array<{ code: string; nameZh: string; nameEn: string }> }>('GET', '/api/catalogue').catch(() => ({ items: [] })),
    ]);
    if (catalogue) names = new Map(catalogue.items.map((c) => [c.code, locale() === 'en' ? c.nameEn : c.nameZh]));
    if (stale()) return;
    const err = errorLine();
    const answer = async (i: Invitation, a: 'accept' | 'decline') => {
      try {
        await api('POST', `/api/my/invitations/${i.id}/${a}`);
        answered = { text: t(a === 'accept' ? 'name.inv.accepted' : 'name.inv.declined', { project: i.projectRef }) };
        await load();
      } catch (x) {
        showError(err, x);
      }
    };
    mount(
      root,
      h('h1', {}, t('experts.inv.title')),
      h('p', { class: 'muted' }, t('experts.inv.hint')),
      answered ? h('p', { class: 'ok', role: 'status', 'data-testid': 'invitation-message' }, answered.text) : null,
      err,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ['experts.inv.project', 'experts.inv.specialty', 'experts.inv.when', 'experts.inv.where', 'experts.inv.deadline', 'experts.inv.status'].map((k) => h('th', {}, t(k as MessageKey))), h('th', {}))),
          h(
            'tbody',
            {},
            items.length
              ? items.map((i) =>
                  h(
                    'tr',
                    { 'data-testid': `invitation-${i.id}`, 'data-status': i.status },
                    h('td', {}, i.projectRef),
                    h('td', {}, names?.get(i.specialty) ?? i.specialty),
                    h('td', {}, formatTime(i.evaluationAt)),
                    h('td', {}, i.evaluationPlace),
                    h('td', {}, formatTime(i.deadlineAt)),
                    h('td', { 'data-testid': 'invitation-status' }, t(`experts.inv.status.${i.status}` as MessageKey)),
                    h(
                      'td',
                      {},
                      i.status === 'pending' && i.drawStatus === 'sealed'
                        ? [h('button', { type: 'submit', 'data-testid': 'accept', onclick: () => answer(i, 'accept') }, t('experts.inv.accept')), ' ', h('button', { 'data-testid': 'decline', onclick: () => answer(i, 'decline') }, t('experts.inv.decline'))]
                        : null,
                    ),
                  ),
                )
              : h('tr', {}, h('td', { colspan: 7, class: 'empty', 'data-testid': 'invitations-empty' }, t('name.inv.none'))),
          ),
        ),
      ),
    );
  });
  // A new invitation arrives on the expert's own channel: refresh.
  const off = live.onMessage((m) => {
    if (!root.isConnected) return off();
    if (m.type === 'expert.invitation') void load();
  });
  void load().catch((x) => mount(root, h('p', { class: 'error' }, t('error.generic', { message: (x as Error).message }))));
  return root;
}
