// Confirming the result (the purchasing unit or the procurement centre): the evaluation report and
// the committee's ranking above, a choice among the recommended candidates (the first unless a
// reason is given: MOF Order No. 87 art. 68, the next candidate only when the first cannot be
// awarded), and an explicit confirmation naming the supplier and the amount before anything is sent.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t } from '../../i18n';
import { errorText, money, when } from './ui';
import { rankingTable, reportFacts } from './ranking';
import type { TenderDetail } from './types';

export function awardPanel(d: TenderDetail, reload: () => void): HTMLElement {
  const root = h('section', { class: 'card tender-award', 'data-testid': 'tender-award-panel' }, h('h2', {}, t('tendering.award.title')));
  const report = d.report;
  if (!report) return root;
  const candidates = [...report.content.ranking].filter((r) => r.recommended).sort((a, b) => a.rank - b.rank);
  root.append(h('h3', {}, t('tendering.eval.report')), reportFacts(report), rankingTable(report, 'tender-award-ranking', d.evaluation));
  if (!candidates.length) return root;

  let chosen = candidates[0];
  const reason = h('textarea', { rows: 2, maxlength: 500, 'aria-label': t('tendering.award.reason'), 'data-testid': 'tender-award-reason' });
  const reasonRow = h('label', { hidden: true }, t('tendering.award.reason'), reason);
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'tender-award-error' });
  const confirmBox = h('div', { class: 'confirm', role: 'alertdialog', 'aria-modal': 'false', hidden: true, 'data-testid': 'tender-award-confirm' });
  const choices = candidates.map((c) =>
    h(
      'label',
      { class: 'inline' },
      h('input', { type: 'radio', name: 'tender-award-candidate', value: String(c.bidId), checked: c === chosen, 'data-testid': `tender-award-candidate-${c.rank}`, onchange: () => { chosen = c; reasonRow.hidden = c.rank === 1; confirmBox.hidden = true; err.textContent = ''; } }),
      t('tendering.award.candidate', { rank: c.rank, supplier: c.supplierName ?? '', amount: money(c.priceFen) }),
    ),
  );
  const open = h('button', { type: 'button', 'data-testid': 'tender-award' }, t('tendering.award'));
  open.addEventListener('click', () => {
    err.textContent = '';
    if (chosen.rank !== 1 && !reason.value.trim()) return void (err.textContent = t('tendering.err.REASON_REQUIRED'));
    const yes = h('button', { type: 'button', 'data-testid': 'tender-award-confirm-yes' }, t('tendering.award.confirmYes'));
    const no = h('button', { type: 'button', class: 'secondary', 'data-testid': 'tender-award-confirm-no', onclick: () => { confirmBox.hidden = true; open.disabled = false; } }, t('tendering.award.confirmNo'));
    yes.addEventListener('click', async () => {
      yes.disabled = no.disabled = true;
      try {
        await api('POST', `/api/tenders/${d.id}/award`, chosen.rank === 1 ? { bidId: chosen.bidId } : { bidId: chosen.bidId, reason: reason.value.trim() });
        reload();
      } catch (e) {
        err.textContent = errorText(e);
        confirmBox.hidden = true;
        open.disabled = false;
      }
    });
    mount(
      confirmBox,
      h('p', { 'data-testid': 'tender-award-confirm-text' }, t('tendering.award.confirm', { supplier: chosen.supplierName ?? '', amount: money(chosen.priceFen), rank: chosen.rank })),
      h('p', { class: 'small' }, t('tendering.award.confirmEffect')),
      yes,
      ' ',
      no,
    );
    confirmBox.hidden = false;
    open.disabled = true;
    yes.focus();
  });
  root.append(h('h3', {}, t('tendering.award.choose')), h('fieldset', { 'data-testid': 'tender-award-candidates' }, h('legend', {}, t('tendering.recommended')), choices), reasonRow, h('p', {}, open), confirmBox, err);
  return root;
}

/** After the award: who won, for how much, and until when the result may be challenged. */
export function awardSummary(d: TenderDetail): HTMLElement | null {
  if (d.status !== 'awarded') return null;
  const winner = d.evaluation?.find((b) => b.bidId === d.awardedBidId);
  return h('p', { class: 'ok', 'data-testid': 'tender-awarded' }, t('tendering.awarded', { supplier: winner?.supplierName ?? '', amount: money(d.awardAmountFen), until: when(d.challengeEndsAt) }));
}
