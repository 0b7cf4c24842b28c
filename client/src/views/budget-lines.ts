import { h } from '../dom';
import { t, formatFen, locale } from '../i18n';
import { pagedTable } from './table';

interface BudgetLine {
  code: string;
  orgNameZh: string;
  orgNameEn: string;
  name: string;
  fiscalYear: number;
  allocatedFen: number;
  frozenFen: number;
  spentFen: number;
  availableFen: number;
}

export function budgetLinesView(): HTMLElement {
  return h(
    'section',
    {},
    h('h1', {}, t('nav.budgetLines')),
    pagedTable<BudgetLine>({
      endpoint: '/api/budget-lines',
      testId: 'budget-lines',
      columns: [
        { key: 'budget.code', cell: (r) => r.code },
        { key: 'budget.org', cell: (r) => (locale() === 'en' ? r.orgNameEn : r.orgNameZh) },
        { key: 'budget.name', cell: (r) => r.name },
        { key: 'budget.year', cell: (r) => String(r.fiscalYear) },
        { key: 'budget.allocated', cell: (r) => formatFen(r.allocatedFen), numeric: true },
        { key: 'budget.frozen', cell: (r) => formatFen(r.frozenFen), numeric: true },
        { key: 'budget.spent', cell: (r) => formatFen(r.spentFen), numeric: true },
        { key: 'budget.available', cell: (r) => formatFen(r.availableFen), numeric: true },
      ],
    }),
  );
}
