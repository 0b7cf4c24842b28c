// One draw for the procurement centre: the request, the commitments, live counts (not who);
// after the reveal, the panel. Asking for the panel before then is refused (and audited).
import { h, mount, newestOnly } from '../../dom';
import { api } from '../../api';
import { t, formatTime, type MessageKey } from '../../i18n';
import { live } from '../../main';
import { showError, errorLine } from '../suppliers/ui';
import type { DrawSummary } from './list';
import { categoryNamer } from '../suppliers/catalogue-names';

export interface SealView {
  scheme: 1 | 2;
  commitment: string;
  committedAt: string;
  poolHash: string | null;
  secret: string | null;
}

/** The seal: the commitment made when the draw was made, and (after the reveal) the secret. */
export function sealFacts(s: SealView): HTMLElement {
  return h(
    'dl',
    { class: 'facts mono small', 'data-testid': 'draw-seal' },
    h('dt', {}, t('draws.commitment')), h('dd', { 'data-testid': 'draw-commitment' }, s.commitment),
    h('dt', {}, t('draws.committedAt')), h('dd', {}, formatTime(s.committedAt)),
    s.poolHash ? [h('dt', {}, t(s.scheme === 2 ? 'draws.poolHash' : 'draws.poolHash.v1')), h('dd', {}, s.poolHash)] : null,
    s.secret ? [h('dt', {}, t('draws.secret')), h('dd', { 'data-testid': 'draw-secret' }, s.secret)] : null,
    h('dt', {}, t('draws.scheme')), h('dd', {}, t(s.scheme === 2 ? 'draws.scheme.2' : 'draws.scheme.1')),
  );
}

/** Rounds: while sealed only when each was drawn (the centre's view); after the reveal everything. */
export function roundsList(rounds: DrawSummary['rounds']): HTMLElement {
  return h(
    'ol',
    { class: 'rounds', 'data-testid': 'rounds' },
    rounds.map((r) =>
      h(
        'li',
        {},
        h('strong', {}, t('draws.round', { n: r.roundNo, kind: t(`draws.round.${r.kind}` as MessageKey) })),
        h('span', { class: 'muted small' }, ` · ${formatTime(r.createdAt)}`),
        r.poolHash ? h('div', { class: 'mono small' }, `${t('draws.roundPoolHash')}: ${r.poolHash}`) : null,
        r.seed ? h('div', { class: 'mono small' }, `${t('draws.seed')}: ${r.seed}`) : null,
        r.poolSize !== undefined && r.poolSize !== null ? h('div', { class: 'small' }, `${t('draws.poolSize')}: ${r.poolSize}`) : null,
      ),
    ),
  );
}

export function drawDetailView(params: Record<string, string>): HTMLElement {
  const root = h('section', { 'data-testid': 'draw-detail' });
  const id = Number(params.id);
  const panel = h('div', { 'data-testid': 'draw-panel' });
  const load = newestOnly(async (stale) => {
    const [d, name] = await Promise.all([api<DrawSummary>('GET', `/api/draws/${id}`), categoryNamer()]);
    if (stale()) return;
    const err = errorLine();
    const readResult = async () => {
      try {
        const r = await api<{ panel: Array<{ name: string; title: string; specialty: string; answer: string; roundNo: number }> }>('GET', `/api/draws/${id}/result`);
        mount(
          panel,
          h('h2', {}, t('draws.panel')),
          r.panel.length
            ? h('ul', {}, r.panel.map((p) => h('li', {}, `${p.name} · ${p.title} · ${name(p.specialty)} · ${t(`draws.answer.${p.answer}` as MessageKey)}`)))
            : h('p', { class: 'muted' }, t('draws.panel.empty')),
        );
      } catch (x) {
        showError(err, x);
      }
    };
    mount(
      root,
      h('p', {}, h('a', { href: '/draws', 'data-link': '' }, t('draws.back'))),
      h('h1', {}, `${d.projectRef} · ${t(`draws.status.${d.status}` as MessageKey)}`),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('draws.detail.groups')), h('dd', { 'data-testid': 'draw-groups-shown' }, d.groups.map((g) => t('draws.detail.group', { name: name(g.specialty), count: g.count })).join(t('draws.detail.sep'))),
        h('dt', {}, t('draws.detail.revealAt')), h('dd', {}, formatTime(d.revealAt)),
        h('dt', {}, t('draws.detail.evaluationAt')), h('dd', {}, formatTime(d.evaluationAt)),
        h('dt', {}, t('draws.detail.place')), h('dd', {}, d.evaluationPlace),
        h('dt', {}, t('draws.detail.confirmed')), h('dd', { 'data-testid': 'draw-confirmed' }, String(d.confirmedCount)),
      ),
      h('p', { 'data-testid': 'draw-counts' }, t('draws.counts', { ...d.invitations, shortfall: d.shortfall })),
      d.status === 'sealed' ? h('p', { class: 'notice' }, t('draws.sealedNote')) : null,
      d.status === 'sealed' ? h('p', { class: 'muted small' }, t('draws.countsNote')) : null,
      h('h2', {}, t('draws.seal')),
      sealFacts(d.seal),
      h('h2', {}, t('draws.rounds')),
      roundsList(d.rounds),
      h('h2', {}, t('draws.panel')),
      // Before the reveal nothing can read the panel: no button offers it (asking would be refused and audited).
      d.status === 'revealed'
        ? [err, h('button', { 'data-testid': 'read-result', onclick: readResult }, t('draws.readResult'))]
        : h('p', { class: 'muted', 'data-testid': 'draw-panel-sealed' }, t('draws.panel.sealedUntil', { time: formatTime(d.revealAt) })),
      panel,
    );
  });
  // Live counts while the draw is open.
  live.subscribe(`draw:${id}`);
  const off = live.onMessage((m) => {
    if (!root.isConnected) {
      live.unsubscribe(`draw:${id}`);
      return off();
    }
    if (m.type === 'draw.progress' && m.drawId === id) void load();
  });
  void load().catch((x) => mount(root, h('p', { class: 'error' }, t('error.generic', { message: (x as Error).message }))));
  return root;
}
