// The operator's supplier library: search, filter by review state, open one.
import { h, mount } from '../../dom';
import { t, type MessageKey } from '../../i18n';
import { pagedTable } from '../table';
import { select } from './ui';

interface SupplierRow {
  id: number;
  name: string;
  creditCode: string;
  size: string;
  status: string;
  contactName: string;
  contactPhone: string;
}

export function suppliersView(): HTMLElement {
  const params = new URLSearchParams(location.search);
  const filter = select('supplier-filter', [
    ['', t('suppliers.filter.all')],
    ...(['pending', 'more_info', 'approved', 'rejected'] as const).map((s) => [s, t(`supplier.status.${s}` as MessageKey)] as [string, string]),
    ['pendingChanges', t('suppliers.filter.pendingChanges')],
    ['blacklisted', t('suppliers.filter.blacklisted')],
  ], params.get('status') ?? params.get('filter') ?? '');
  const holder = h('div');
  const load = () => {
    const v = filter.value;
    const p: Record<string, string> = v === 'pendingChanges' || v === 'blacklisted' ? { [v]: 'true' } : v ? { status: v } : {};
    mount(
      holder,
      pagedTable<SupplierRow>({
        endpoint: '/api/suppliers',
        testId: 'suppliers',
        search: true,
        params: p,
        columns: [
          { key: 'suppliers.col.name', cell: (r) => h('a', { href: `/suppliers/${r.id}`, 'data-link': '', 'data-testid': `supplier-${r.id}` }, r.name) },
          { key: 'suppliers.col.creditCode', cell: (r) => r.creditCode },
          { key: 'suppliers.col.size', cell: (r) => t(`size.${r.size}` as MessageKey) },
          { key: 'suppliers.col.status', cell: (r) => t(`supplier.status.${r.status}` as MessageKey) },
          { key: 'suppliers.col.contact', cell: (r) => `${r.contactName} ${r.contactPhone}` },
        ],
      }),
    );
  };
  filter.addEventListener('change', load);
  load();
  return h('section', {}, h('h1', {}, t('suppliers.title')), h('div', { class: 'filters' }, h('label', {}, t('name.label.reviewState'), filter)), holder);
}
