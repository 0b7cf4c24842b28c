// The expert library for the procurement centre and supervisors.
import { h, mount } from '../../dom';
import { t, type MessageKey } from '../../i18n';
import { pagedTable } from '../table';
import { select } from '../suppliers/ui';

interface ExpertRow {
  id: number;
  name: string;
  employerName: string;
  title: string;
  status: string;
  rating: number;
}

export function expertsView(): HTMLElement {
  const filter = select('expert-filter', [['', '—'], ...(['active', 'suspended', 'disqualified'] as const).map((s) => [s, t(`expert.status.${s}` as MessageKey)] as [string, string]), ['onLeave', t('experts.filter.onLeave')]]);
  const holder = h('div');
  const load = () =>
    mount(
      holder,
      pagedTable<ExpertRow>({
        endpoint: '/api/experts',
        testId: 'experts',
        search: true,
        params: filter.value === 'onLeave' ? { onLeave: 'true' } : filter.value ? { status: filter.value } : {},
        columns: [
          { key: 'experts.col.name', cell: (r) => h('a', { href: `/experts/${r.id}`, 'data-link': '' }, r.name) },
          { key: 'experts.col.employer', cell: (r) => r.employerName },
          { key: 'experts.col.title', cell: (r) => r.title },
          { key: 'experts.col.status', cell: (r) => t(`expert.status.${r.status}` as MessageKey) },
          { key: 'experts.col.rating', cell: (r) => r.rating.toFixed(2), numeric: true },
        ],
      }),
    );
  filter.addEventListener('change', load);
  load();
  return h('section', {}, h('h1', {}, t('experts.title')), h('div', { class: 'filters' }, h('label', {}, t('experts.col.status'), filter)), holder);
}
