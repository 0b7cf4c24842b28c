// The procurement centre's draw desk: request a draw, follow the draws (counts, never names).
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, locale, formatTime, type MessageKey } from '../../i18n';
import { hasRole } from '../../session';
import { pagedTable } from '../table';
import { field, input, select, showError, errorLine, go, localInput } from '../suppliers/ui';

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
  const suppliers = input('draw-suppliers', { placeholder: '12, 15, 31' });
  const groups = h('textarea', { name: 'draw-groups', 'data-testid': 'draw-groups', rows: 2, required: true }, 'C1601,5');
  const soon = new Date(Date.now() + 3 * 86_400_000);
  soon.setHours(9, 0, 0, 0);
  const revealAt = input('draw-reveal-at', { type: 'datetime-local', required: true, value: localInput(soon) });
  const evaluationAt = input('draw-evaluation-at', { type: 'datetime-local', required: true, value: localInput(new Date(soon.getTime() + 3_600_000)) });
  const place = input('draw-place', { required: true, value: '' });
  const minutes = input('draw-response-minutes', { type: 'number', min: 10, value: '120' });
  const onsubmit = async (e: Event) => {
    e.preventDefault();
    try {
      const body = {
        projectRef: ref.value.trim(),
        purchasingOrgId: Number(unit.value),
        supplierIds: [...new Set(suppliers.value.split(/[,，\s]+/).filter(Boolean).map(Number))],
        groups: groups.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
          const [specialty, count] = l.split(/[,，]/).map((x) => x.trim());
          return { specialty: specialty.toUpperCase(), count: Number(count) };
        }),
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
    field(t('draws.suppliers'), suppliers),
    field(t('draws.groups'), groups),
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
