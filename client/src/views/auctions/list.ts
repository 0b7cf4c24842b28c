// The competitions list (portal announcements for suppliers, the desk for operators) and the
// creation form for operators and purchasing units.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, formatFen, formatTime, locale, type MessageKey } from '../../i18n';
import { session, hasRole } from '../../session';
import { field, input, select, errorLine, showError, go, localInput } from '../suppliers/ui';
import { yuanToFen } from './money';

export interface AuctionSummary {
  id: number;
  code: string;
  title: string;
  categoryCode: string;
  ceilingFen: number;
  startsAt: string;
  endsAt: string | null;
  status: string;
  visibility: string;
  joined?: boolean;
}

/** An approved online-competition project waiting in its competition stage (GET /api/projects?awaitingCompetition=true). */
interface WaitingProject {
  id: number;
  ref: string;
  title: string;
  orgNameZh: string;
  orgNameEn: string;
  categoryCode: string;
  budgetFen: number;
}

/** Fen → the yuan text the ceiling field takes, exactly (no floating point). */
const fenToYuanText = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

function createForm(onCreated: (id: number) => void): HTMLElement {
  const err = errorLine();
  const waiting = new Map<string, WaitingProject>();
  let chosen: WaitingProject | null = null;
  const cats = select('categoryCode', []);
  void api<{ items: Array<{ code: string; nameZh: string; nameEn: string; frameworkAgreement: boolean }> }>('GET', '/api/catalogue?kind=goods').then((r) => {
    for (const c of r.items.filter((x) => x.frameworkAgreement)) if (!cats.querySelector(`option[value="${c.code}"]`)) cats.append(h('option', { value: c.code }, `${c.code} ${document.documentElement.lang === 'en' ? c.nameEn : c.nameZh}`));
    if (chosen) cats.value = chosen.categoryCode; // the catalogue may answer after a project was picked
  });
  // Competitions come from approved requisitions: pick the waiting project. Only the procurement
  // centre may also run one of its own without a project (the server refuses it to a unit).
  const standalone = hasRole('operator', 'admin');
  const projects = select('auction-project', standalone ? [['', t('auctions.project.none')]] : []);
  const projectInfo = h('small', { class: 'muted', 'data-testid': 'auction-project-info' });
  const f = {
    title: input('auction-title', { required: true, maxlength: 200 }),
    lot: h('textarea', { name: 'auction-lot', 'data-testid': 'auction-lot', required: true, maxlength: 4000 }),
    quantity: input('auction-quantity', { type: 'number', min: 1, value: '10', required: true }),
    unit: input('auction-unit', { value: '台', required: true, maxlength: 16 }),
    ceiling: input('auction-ceiling', { inputmode: 'decimal', required: true }),
    decrementKind: select('auction-decrement-kind', [['absolute', t('auctions.decrement.absolute')], ['percent', t('auctions.decrement.percent')]]),
    decrement: input('auction-decrement', { inputmode: 'decimal', value: '100', required: true }),
    start: input('auction-start', { type: 'datetime-local', value: localInput(new Date(Date.now() + 3600_000)), required: true }),
    duration: input('auction-duration', { type: 'number', min: 1, value: '30', required: true }),
    extension: input('auction-extension', { type: 'number', min: 0, value: '60' }),
    maxExtension: input('auction-max-extension', { type: 'number', min: 0 }),
    visibility: select('auction-visibility', (['best_price', 'ladder', 'rank_only'] as const).map((m) => [m, t(`auctions.mode.${m}` as MessageKey)])),
    minSuppliers: input('auction-min-suppliers', { type: 'number', min: 3, value: '3' }),
    minBrands: input('auction-min-brands', { type: 'number', min: 1, value: '3' }),
  };
  // A project fixes the category and caps the ceiling at its approved budget (the default).
  const pick = () => {
    const before = chosen;
    chosen = waiting.get(projects.value) ?? null;
    cats.disabled = !!chosen;
    if (!chosen) return void (projectInfo.textContent = '');
    const p = chosen;
    if (!cats.querySelector(`option[value="${p.categoryCode}"]`)) cats.append(h('option', { value: p.categoryCode }, p.categoryCode));
    cats.value = p.categoryCode;
    f.ceiling.value = fenToYuanText(p.budgetFen);
    // The lot title follows the project unless the user has typed their own.
    if (!f.title.value || f.title.value === before?.title) f.title.value = p.title;
    projectInfo.textContent = t('auctions.project.budget', { budget: formatFen(p.budgetFen) });
  };
  projects.addEventListener('change', pick);
  void api<{ items: WaitingProject[] }>('GET', '/api/projects?awaitingCompetition=true&pageSize=200')
    .then((r) => {
      for (const p of r.items) {
        waiting.set(String(p.id), p);
        const unitName = locale() === 'en' ? p.orgNameEn : p.orgNameZh;
        projects.append(h('option', { value: String(p.id) }, t('auctions.project.option', { ref: p.ref, title: p.title, unit: unitName, category: p.categoryCode, budget: formatFen(p.budgetFen) })));
      }
      if (!r.items.length && !standalone) projectInfo.textContent = t('auctions.project.noneWaiting');
      else pick();
    })
    .catch((x) => showError(err, x));
  const onsubmit = async (e: Event) => {
    e.preventDefault();
    const ceilingFen = yuanToFen(f.ceiling.value);
    const dec = f.decrementKind.value === 'absolute' ? yuanToFen(f.decrement.value) : Number(f.decrement.value);
    if (ceilingFen === null || dec === null || !Number.isInteger(dec)) return void (err.textContent = t('auctions.invalidAmount'));
    if (chosen && ceilingFen > chosen.budgetFen) return void (err.textContent = t('auctions.project.ceilingAbove', { budget: formatFen(chosen.budgetFen) }));
    if (!chosen && !standalone) return void (err.textContent = t('auctions.project.required'));
    try {
      const a = await api<{ id: number }>('POST', '/api/auctions', {
        projectId: chosen?.id ?? null,
        title: f.title.value,
        lotDescription: f.lot.value,
        quantity: Number(f.quantity.value),
        unit: f.unit.value,
        categoryCode: cats.value,
        ceilingFen,
        decrementKind: f.decrementKind.value,
        decrementValue: dec,
        startsAt: new Date(f.start.value).toISOString(),
        durationSec: Math.round(Number(f.duration.value) * 60),
        extensionSec: Number(f.extension.value || 0),
        maxExtensionSec: f.maxExtension.value ? Number(f.maxExtension.value) : null,
        visibility: f.visibility.value,
        minSuppliers: Number(f.minSuppliers.value),
        minBrands: Number(f.minBrands.value),
      });
      onCreated(a.id);
    } catch (x) {
      showError(err, x);
    }
  };
  return h(
    'form',
    { class: 'card form', onsubmit, 'data-testid': 'auction-create' },
    h('h2', {}, t('auctions.create')),
    field(t('auctions.field.project'), projects),
    projectInfo,
    field(t('auctions.field.title'), f.title),
    field(t('auctions.field.lot'), f.lot),
    field(t('auctions.field.category'), cats),
    field(t('auctions.field.quantity'), f.quantity),
    field(t('auctions.field.unit'), f.unit),
    field(t('auctions.field.ceiling'), f.ceiling),
    field(t('auctions.field.decrementKind'), f.decrementKind),
    field(t('auctions.field.decrement'), f.decrement),
    field(t('auctions.field.start'), f.start),
    field(t('auctions.field.duration'), f.duration),
    field(t('auctions.field.extension'), f.extension),
    field(t('auctions.field.maxExtension'), f.maxExtension),
    field(t('auctions.field.visibility'), f.visibility),
    field(t('auctions.field.minSuppliers'), f.minSuppliers),
    field(t('auctions.field.minBrands'), f.minBrands),
    err,
    h('button', { type: 'submit', 'data-testid': 'auction-submit' }, t('auctions.submit')),
  );
}

export function auctionsView(): HTMLElement {
  const root = h('section', { 'data-testid': 'auctions' });
  const table = h('div', { class: 'table-wrap' });
  const creator = hasRole('operator', 'purchaser');
  const formSlot = h('div', {});
  const load = async () => {
    const r = await api<{ items: AuctionSummary[] }>('GET', '/api/auctions?pageSize=100');
    const supplier = !!session.user?.supplierId;
    mount(
      table,
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', {}, t('auctions.col.code')), h('th', {}, t('auctions.col.title')), h('th', {}, t('auctions.col.category')), h('th', { class: 'num' }, t('auctions.col.ceiling')), h('th', {}, t('auctions.col.start')), h('th', {}, t('auctions.col.status')), supplier ? h('th', {}, t('auctions.col.joined')) : null)),
        h(
          'tbody',
          {},
          r.items.map((a) =>
            h(
              'tr',
              { 'data-auction': String(a.id) },
              h('td', {}, h('a', { href: `/auctions/${a.id}`, 'data-link': '' }, a.code)),
              h('td', {}, a.title),
              h('td', {}, a.categoryCode),
              h('td', { class: 'num' }, formatFen(a.ceilingFen)),
              h('td', {}, formatTime(a.startsAt)),
              h('td', { 'data-status': a.status }, t(`auctions.status.${a.status}` as MessageKey)),
              supplier ? h('td', {}, a.joined ? '✓' : '') : null,
            ),
          ),
        ),
      ),
    );
  };
  void load().catch((e) => mount(table, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message }))));
  mount(
    root,
    h('h1', {}, t('auctions.title')),
    creator ? h('button', { 'data-testid': 'auction-new', onclick: () => mount(formSlot, createForm((id) => go(`/auctions/${id}`))) }, t('auctions.create')) : null,
    formSlot,
    table,
  );
  return root;
}
