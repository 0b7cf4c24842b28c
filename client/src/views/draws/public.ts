// The public draw records (no login) and the in-browser recomputation of a revealed draw.
// Before the reveal a record shows the request and the seal only (the commitment, its time and
// the first round's keyed pool hash): nothing on it changes when experts answer.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, formatTime, type MessageKey } from '../../i18n';
import { verifyPublicDraw, type PublishedRound } from '../../../../server/execution/draws/selection';
import { browserHashes } from './verify';
import { roundsList, sealFacts, type SealView } from './detail';
import { categoryNamer } from '../suppliers/catalogue-names';

interface PublicDraw extends SealView {
  id: number;
  projectRef: string;
  status: string;
  totalCount: number;
  revealAt: string;
  groups: Array<{ specialty: string; count: number }>;
  rounds: Array<PublishedRound & { kind: string; createdAt: string; poolSize: number | null; selectedCount: number | null }> | null;
  panel: Array<{ expertId: number; name: string; title: string; specialty: string; answer: string; roundNo: number }> | null;
  /** After the reveal: per specialty the seats asked for, taken and left empty. */
  seats: Array<{ specialty: string; count: number; accepted: number; unfilled: number }> | null;
}

/** The committee's seats: how many sat of how many asked for, and every seat left empty said plainly. */
const unfilledText = (n: number) => (n === 1 ? t('draws.seats.unfilledOne') : t('draws.seats.unfilled', { n }));

function seatsSummary(seats: NonNullable<PublicDraw['seats']>, name: (code: string) => string): HTMLElement {
  const total = seats.reduce((n, x) => n + x.count, 0);
  const accepted = seats.reduce((n, x) => n + x.accepted, 0);
  const unfilled = total - accepted;
  return h(
    'div',
    { class: 'draw-seats', 'data-testid': 'draw-seats', 'data-unfilled': String(unfilled) },
    h('p', {}, t('draws.seats.summary', { accepted, total }), unfilled > 0 ? [' ', h('strong', { class: 'tag warn', 'data-testid': 'draw-unfilled' }, unfilledText(unfilled))] : null),
    h('ul', { class: 'small' }, seats.map((x) => h('li', { 'data-specialty': x.specialty, 'data-unfilled': String(x.unfilled) }, t('draws.seats.line', { specialty: name(x.specialty), accepted: x.accepted, count: x.count }), x.unfilled > 0 ? [' ', h('span', { class: 'tag warn' }, unfilledText(x.unfilled))] : null))),
  );
}

export function publicDrawsView(): HTMLElement {
  const root = h('section', { 'data-testid': 'public-draws' }, h('h1', {}, t('draws.public.title')));
  void api<{ items: Array<{ id: number; projectRef: string; status: string; totalCount: number; revealAt: string }> }>('GET', '/api/public/draws?pageSize=50').then((r) =>
    root.append(
      h('p', { class: 'muted' }, t('draws.public.intro')),
      h(
        'ul',
        { class: 'notice-list' },
        r.items.map((d) => h('li', {}, h('a', { href: `/portal/draws/${d.id}`, 'data-link': '', 'data-testid': `public-draw-${d.id}` }, d.projectRef), h('span', { class: 'tag' }, t(`draws.status.${d.status}` as MessageKey)), h('span', { class: 'muted small' }, formatTime(d.revealAt)))),
      ),
    ),
  );
  return root;
}

export function publicDrawView(params: Record<string, string>): HTMLElement {
  const root = h('section', { 'data-testid': 'public-draw' });
  void Promise.all([api<PublicDraw>('GET', `/api/public/draws/${Number(params.id)}`), categoryNamer()]).then(
    ([d, specialtyName]) => {
      const outcome = h('div', { 'data-testid': 'verify-outcome', role: 'status' });
      const verify = () => {
        if (d.status !== 'revealed' || !d.rounds) {
          mount(outcome, h('p', { class: 'muted' }, t('draws.verify.sealed')));
          return;
        }
        const v = verifyPublicDraw(d, browserHashes);
        const mark = (ok: boolean) => t(ok ? 'draws.ok' : 'draws.mismatch');
        const bad = v.rounds.find((c) => !(c.commitmentOk && c.poolHashOk && c.resultOk && c.disjointOk));
        mount(
          outcome,
          h('p', { class: v.ok ? 'badge ok' : 'badge bad', 'data-testid': 'verify-result', 'data-ok': String(v.ok) }, v.ok ? t('draws.verify.ok', { n: v.rounds.length }) : bad ? t('draws.verify.bad', { n: bad.roundNo }) : t('draws.verify.badCommitment')),
          h('ul', {}, h('li', {}, t('draws.verify.commitment', { c: mark(v.commitmentOk) })), v.rounds.map((c) => h('li', {}, t('draws.verify.line', { n: c.roundNo, c: mark(c.commitmentOk), p: mark(c.poolHashOk), r: mark(c.resultOk && c.disjointOk) })))),
        );
      };
      mount(
        root,
        h('h1', {}, `${d.projectRef} · ${t(`draws.status.${d.status}` as MessageKey)}`),
        h('p', {}, `${d.groups.map((g) => `${specialtyName(g.specialty)} × ${g.count}`).join(t('draws.listSep'))} · ${t('draws.revealAt')}: ${formatTime(d.revealAt)}`),
        h('h2', {}, t('draws.seal')),
        sealFacts(d),
        d.rounds
          ? [
              h('h2', {}, t('draws.rounds')),
              roundsList(d.rounds),
              h('ul', { class: 'mono small' }, d.rounds.map((r) => h('li', {}, `#${r.roundNo} ${t('draws.result')}: ${JSON.stringify(r.result)} · ${t('draws.pool')}: ${r.pool.map((g) => `${g.specialty}[${g.ids.length}]`).join(' ')}`))),
            ]
          : h('p', { class: 'muted small', 'data-testid': 'draw-sealed-record' }, t('draws.public.sealedRecord')),
        d.panel
          ? [
              h('h2', {}, t('draws.panel')),
              d.seats ? seatsSummary(d.seats, specialtyName) : null,
              h('ul', { 'data-testid': 'public-panel' }, d.panel.map((p) => h('li', {}, `${p.name} · ${p.title} · ${specialtyName(p.specialty)} · ${t(`draws.answer.${p.answer}` as MessageKey)}`))),
            ]
          : h('p', { class: 'notice' }, t('draws.sealedNote')),
        h('button', { 'data-testid': 'verify', onclick: verify }, t('draws.verify')),
        outcome,
      );
    },
    (x) => mount(root, h('p', { class: 'error' }, t('error.generic', { message: (x as Error).message }))),
  );
  return root;
}
