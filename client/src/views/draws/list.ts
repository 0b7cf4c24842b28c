// The procurement centre's draw desk: request a draw, follow the draws (counts, never names).
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, locale, formatTime, type MessageKey } from '../../i18n';
import { hasRole } from '../../session';
import { pagedTable } from '../table';
import { field, input, select, showError, errorLine, go, localInput } from '../suppliers/ui';
import { catalogue, entryName } from '../suppliers/catalogue-names';
import { picker, type PickItem } from './picker';

/** Suppliers by name or credit code from the supplier library (conflict exclusions). */
async function searchSuppliers(q: string): Promise<PickItem[]> {
  const qs = new URLSearchParams({ pageSize: '20', status: 'approved', ...(q ? { q } : {}) });
  const r = await api<{ items: Array<{ id: number; name: string; creditCode: string }> }>('GET', `/api/suppliers?${qs}`);
  return r.items.map((x) => ({ id: String(x.id), label: x.name, detail: x.creditCode }));
}

/** Specialties: catalogue entries by name or code, in the user's language. */
async function searchSpecialties(q: string): Promise<PickItem[]> {
  const needle = q.toLowerCase();
  const all = await catalogue();
  return all
    .filter((c) => !needle || c.code.toLowerCase().startsWith(needle) || c.nameZh.includes(q) || c.nameEn.toLowerCase().includes(needle))
    .slice(0, 30)
    .map((c) => ({ id: c.code, label: entryName(c), detail: c.code }));
}

export interface DrawSummary {
  id: number;
  projectRef: string;
  status: string;
  totalCount: number;
  confirmedCount: number;
  shortfall: number;
  revealAt: string;
  evaluationAt: string;
  evaluationPlace: string;
  groups: Array<{ specialty: string; count: number }>;
  invitations: { invited: number; pending: number; accepted: number; declined: number; noAnswer: number; replaced: number };
  seal: { scheme: 1 | 2; commitment: string; committedAt: string; poolHash: string | null; secret: string | null };
  /** While sealed: when each round was drawn (and its keyed pool hash); after the reveal: everything. */
  rounds: Array<{ roundNo: number; kind: string; createdAt: string; poolHash: string | null; poolSize?: number | null; seed?: string }>;
}

function requestForm(): HTMLElement {
  const err = errorLine();
  const ref = input('draw-project-ref', { required: true, maxlength: 64 });
  const unit = select('draw-unit', []);
  void api<{ items: Array<{ id: number; nameZh: string; nameEn: string }> }>('GET', '/api/organisations?kind=purchasing_unit').then((r) =>
    mount(unit, r.items.map((o) => h('option', { value: String(o.id) }, locale() === 'en' ? o.nameEn : o.nameZh))),
  );
  const total = h('p', { class: 'small', 'data-testid': 'draw-total' });
  const specialties = picker({
    testId: 'draw-specialty',
    label: t('draws.groups'),
    placeholder: t('draws.pick.specialtySearch'),
    emptyChosen: t('draws.pick.noSpecialty'),
    search: searchSpecialties,
    control: () => {
      const n = input('draw-count', { type: 'number', min: 1, max: 99, required: true, value: specialties.chosen().length ? '1' : '5', 'aria-label': t('draws.pick.count'), class: 'count' });
      n.addEventListener('input', paintTotal);
      return n;
    },
    onChange: () => paintTotal(),
  });
  function paintTotal() {
    const n = specialties.chosen().reduce((sum, c) => sum + (Number(specialties.controlOf(c.id)?.value) || 0), 0);
    total.textContent = t('draws.pick.total', { n });
  }
  const suppliers = picker({
    testId: 'draw-supplier',
    label: t('draws.suppliers'),
    placeholder: t('draws.pick.supplierSearch'),
    emptyChosen: t('draws.pick.noSupplier'),
    search: searchSuppliers,
  });
  paintTotal();
  const soon = new Date(Date.now() + 3 * 86_400_000);
  soon.setHours(9, 0, 0, 0);
  const revealAt = input('draw-reveal-at', { type: 'datetime-local', required: true, value: localInput(soon) });
  const evaluationAt = input('draw-evaluation-at', { type: 'datetime-local', required: true, value: localInput(new Date(soon.getTime() + 3_600_000)) });
  const place = input('draw-place', { required: true, value: '' });
  const minutes = input('draw-response-minutes', { type: 'number', min: 10, value: '120' });
  const onsubmit = async (e: Event) => {
    e.preventDefault();
    if (!specialties.chosen().length) return void (err.textContent = t('draws.pick.noSpecialty'));
    try {
      const body = {
        projectRef: ref.value.trim(),
        purchasingOrgId: Number(unit.value),
        supplierIds: suppliers.chosen().map((x) => Number(x.id)),
        groups: specialties.chosen().map((x) => ({ specialty: x.id, count: Number(specialties.controlOf(x.id)?.value) })),
        evaluationAt: new Date(evaluationAt.value).toISOString(),
        evaluationPlace: place.value.trim(),
        revealAt: new Date(revealAt.value).toISOString(),
        responseMinutes: Number(minutes.value),
      };
      const d = await api<DrawSummary>('POST', '/api/draws', body);
      go(`/draws/${d.id}`);
    } catch (x) {
      showError(err, x);
    }
  };
  return h(
    'form',
    { class: 'card wide', onsubmit, 'data-testid': 'draw-request' },
    h('h2', {}, t('draws.request')),
    field(t('draws.projectRef'), ref),
    field(t('draws.unit'), unit),
    specialties.el,
    total,
    suppliers.el,
    field(t('draws.revealAt'), revealAt),
    field(t('draws.evaluationAt'), evaluationAt),
    field(t('draws.place'), place),
    field(t('draws.responseMinutes'), minutes),
    err,
    h('button', { type: 'submit', 'data-testid': 'draw-submit' }, t('draws.submit')),
  );
}

export function drawsView(): HTMLElement {
  return h(
    'section',
    {},
    h('h1', {}, t('draws.title')),
    h('p', { class: 'muted' }, t('draws.sealedNote')),
    pagedTable<DrawSummary>({
      endpoint: '/api/draws',
      testId: 'draws',
      columns: [
        { key: 'draws.col.project', cell: (r) => h('a', { href: `/draws/${r.id}`, 'data-link': '' }, r.projectRef) },
        { key: 'draws.col.status', cell: (r) => t(`draws.status.${r.status}` as MessageKey) },
        { key: 'draws.col.count', cell: (r) => String(r.totalCount), numeric: true },
        { key: 'draws.col.confirmed', cell: (r) => String(r.confirmedCount), numeric: true },
        { key: 'draws.col.revealAt', cell: (r) => formatTime(r.revealAt) },
      ],
    }),
    hasRole('operator') ? requestForm() : null,
  );
}
