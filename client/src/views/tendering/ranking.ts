// The committee's ranking as the evaluation report records it: every bid with its price, the
// evaluated price (after the small-business deduction, the price the price score is computed
// from), the price, technical and business scores, the total and whether the bid is valid. The
// same table serves the committee (its report), the purchasing unit (before the award) and, once
// the result is public, everyone.
import { h } from '../../dom';
import { t } from '../../i18n';
import { money, reasonText, table, when } from './ui';
import type { EvaluationReport, TenderDetail } from './types';

const points = (n: number | null | undefined) => (n === null || n === undefined ? '' : n.toFixed(3));

/** The evaluated price, with the deduction that made it differ from the bid price. */
function evaluatedPrice(r: { priceFen: number; evaluatedPriceFen: number; smallBusiness?: boolean }, pct: number): string {
  if (r.evaluatedPriceFen === r.priceFen) return money(r.evaluatedPriceFen);
  return `${money(r.evaluatedPriceFen)} ${t('tendering.ranking.smeDeducted', { pct })}`;
}

export function rankingTable(report: EvaluationReport, testId: string, evaluation: TenderDetail['evaluation'] = null): HTMLElement {
  const c = report.content;
  const scored = c.method === 'comprehensive';
  const price = (bidId: number) => evaluation?.find((b) => b.bidId === bidId)?.priceFen ?? null;
  const rows: Array<Array<string | Node>> = [
    ...[...c.ranking]
      .sort((a, b) => a.rank - b.rank)
      .map((r) => [
        String(r.rank),
        r.supplierName ?? '',
        money(r.priceFen),
        evaluatedPrice(r, c.smeDeductionPct),
        scored ? points(r.priceScore) : '',
        scored ? points(r.technicalScore ?? r.techScore) : '',
        scored ? points(r.commercialScore) : '',
        scored ? points(r.totalScore) : '',
        r.recommended ? t('tendering.ranking.validRecommended') : t('tendering.ranking.valid'),
      ]),
    ...c.disqualified.map((b) => ['', b.supplierName ?? '', money(price(b.bidId)), '', '', '', '', '', t('tendering.ranking.disqualified', { reason: reasonText(b.reason) })]),
    ...c.invalid.map((b) => ['', b.supplierName ?? '', '', '', '', '', '', '', t('tendering.ranking.invalid', { reason: reasonText(b.reason) })]),
  ];
  return table(
    [t('tendering.rank'), t('tendering.bidder'), t('tendering.price'), t('tendering.evaluatedPrice'), t('tendering.priceScore'), t('tendering.ranking.technical'), t('tendering.ranking.commercial'), t('tendering.totalScore'), t('tendering.ranking.validity')],
    rows,
    testId,
  );
}

/** What the report is: when it was made, by whom, its digest. */
export function reportFacts(report: EvaluationReport): HTMLElement {
  const c = report.content;
  return h(
    'dl',
    { class: 'facts', 'data-testid': 'tender-report-facts' },
    h('dt', {}, t('tendering.report.at')), h('dd', {}, when(report.at)),
    h('dt', {}, t('tendering.report.committee')), h('dd', { 'data-testid': 'tender-report-committee' }, c.committee.map((m) => (m.chair ? t('tendering.report.chair', { name: m.name }) : m.name)).join(t('tendering.report.separator'))),
    h('dt', {}, t('tendering.method')), h('dd', {}, t(`tendering.method.${c.method}`), c.method === 'comprehensive' ? ` · ${t('tendering.priceWeight')} ${c.priceWeight}%` : ''),
    h('dt', {}, t('tendering.smeDeduction')), h('dd', {}, `${c.smeDeductionPct}%`),
    h('dt', {}, t('tendering.report.digest')), h('dd', { class: 'mono small' }, report.sha256),
  );
}
