// The committee member's evaluation session: open each valid bid, record the compliance checks
// and the points for each non-price criterion (the price score is computed by the server),
// settle abnormally low prices, submit, then confirm the report.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t } from '../../i18n';
import { action, docText, errorText, money, reasonText, table } from './ui';
import type { EvaluationReport, TenderDetail } from './types';
import { rankingTable } from './ranking';

/**
 * A downloadable link for an opened attachment. Blob URLs, not data: URLs, which Chromium caps at
 * 2 MB (an attachment may be up to 6 MB).
 */
function blobUrl(type: string, base64: string): string {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type: type || 'application/octet-stream' }));
}

interface EvalBid {
  bidId: number;
  supplierName: string | null;
  receiptNo: string;
  priceFen: number;
  status: string;
  abnormalStatus: string | null;
  /** The bidder's written explanation of an abnormally low price, once given. */
  abnormalExplanation: string | null;
  responses: Record<string, string>;
  attachments: Array<{ name: string; bytes: number }>;
}
interface EvalView {
  status: string;
  myExpertId: number | null;
  committee: Array<{ expertId: number; name: string | null; chair: boolean; submittedAt: string | null; confirmedAt: string | null }>;
  bids: EvalBid[];
  myScores: Array<{ bidId: number; compliance: Record<string, boolean>; scores: Record<string, number> }>;
  report: EvaluationReport | null;
}

export function evaluationPanel(d: TenderDetail, reload: () => void): HTMLElement {
  const root = h('section', { class: 'card', 'data-testid': 'tender-evaluation' }, h('h2', {}, t('tendering.eval.title')));
  void api<EvalView>('GET', `/api/tenders/${d.id}/evaluation`).then(
    (v) => mount(root, h('h2', {}, t('tendering.eval.title')), render(d, v, reload)),
    (e) => root.append(h('p', { class: 'error' }, errorText(e))),
  );
  return root;
}

function render(d: TenderDetail, v: EvalView, reload: () => void): Node[] {
  const me = v.committee.find((c) => c.expertId === v.myExpertId);
  const done = v.committee.filter((c) => c.submittedAt).length;
  const editable = v.status === 'evaluation' && !!me && !me.submittedAt;
  const tech = d.criteria.filter((c) => c.kind !== 'price');
  const out: Node[] = [h('p', { 'data-testid': 'tender-eval-progress' }, t('tendering.eval.progress', { done, total: v.committee.length }))];
  for (const b of v.bids) {
    const mine = v.myScores.find((s) => s.bidId === b.bidId);
    const checks = d.qualifications.map((q) => ({ q, box: h('input', { type: 'checkbox', checked: mine ? mine.compliance[q.key] !== false : true, disabled: !editable, 'data-testid': `tender-check-${b.bidId}-${q.key}` }) as HTMLInputElement }));
    const points = tech.map((c) => ({ c, input: h('input', { type: 'number', min: 0, max: c.weight, step: 0.1, value: mine?.scores[c.key] ?? '', disabled: !editable, 'data-testid': `tender-score-${b.bidId}-${c.key}` }) as HTMLInputElement }));
    const content = h('div', { class: 'tender-bid-content' });
    const status = h('span', { class: 'muted small' });
    out.push(
      h(
        'div',
        { class: 'tender-eval-bid', 'data-testid': `tender-eval-bid-${b.bidId}` },
        h('h3', {}, `${b.supplierName ?? `${t('tendering.bidder')} ${b.receiptNo}`} · ${money(b.priceFen)}`, b.status === 'disqualified' ? h('span', { class: 'tag' }, t('tendering.bid.status.disqualified')) : null),
        b.abnormalStatus ? abnormalQuestion(d, b, reload) : null,
        action(t('tendering.eval.openBid'), `tender-open-bid-${b.bidId}`, async () => {
          const full = await api<{ responses: Record<string, string>; attachments: Array<{ name: string; type: string; dataBase64: string }> }>('GET', `/api/tenders/${d.id}/evaluation/bids/${b.bidId}`);
          mount(content, h('dl', { class: 'facts' }, d.requirements.map((r) => [h('dt', {}, docText(r.text)), h('dd', {}, full.responses[r.key] ?? '')])), full.attachments.map((a) => h('a', { href: blobUrl(a.type, a.dataBase64), download: a.name, 'data-testid': 'eval-attachment' }, a.name)));
        }),
        content,
        b.status === 'valid'
          ? h('div', { class: 'tender-score-grid' }, checks.map(({ q, box }) => h('label', { class: 'inline' }, box, docText(q.text))), points.map(({ c, input }) => h('label', {}, `${docText(c.name)} (≤ ${c.weight})`, input)))
          : null,
        editable && b.status === 'valid'
          ? action(t('tendering.eval.save'), `tender-save-${b.bidId}`, async () => {
              const scores = Object.fromEntries(points.filter((p) => p.input.value !== '').map((p) => [p.c.key, Number(p.input.value)]));
              await api('PUT', `/api/tenders/${d.id}/evaluation/bids/${b.bidId}/scores`, { compliance: Object.fromEntries(checks.map((c) => [c.q.key, c.box.checked])), scores });
              status.textContent = t('tendering.eval.saved');
            })
          : null,
        status,
      ),
    );
  }
  if (editable) out.push(action(t('tendering.eval.submit'), 'tender-eval-submit', async () => { await api('POST', `/api/tenders/${d.id}/evaluation/submit`); reload(); }));
  else if (me?.submittedAt) out.push(h('p', { class: 'ok' }, t('tendering.eval.submitted')));
  if (v.status === 'evaluation' && me?.chair) out.push(returnPanel(d, v, reload));
  if (v.report) {
    out.push(
      h('h3', {}, t('tendering.eval.report')),
      rankingTable(v.report, 'tender-report'),
      h('p', { class: 'mono small' }, `SHA-256 ${v.report.sha256}`),
    );
    if (v.status === 'report_confirmation' && me && !me.confirmedAt) out.push(action(t('tendering.eval.confirm'), 'tender-eval-confirm', async () => { await api('POST', `/api/tenders/${d.id}/evaluation/confirm`, { reportSha256: v.report!.sha256 }); reload(); }));
    else if (me?.confirmedAt) out.push(h('p', { class: 'ok' }, t('tendering.eval.confirmed')));
  }
  return out;
}

/**
 * The abnormally-low-price question: its state, the bidder's written explanation (what the
 * committee rules on, so it comes before the buttons), then the committee's actions.
 */
function abnormalQuestion(d: TenderDetail, b: EvalBid, reload: () => void): HTMLElement {
  return h(
    'div',
    { class: 'tender-abnormal', 'data-testid': `tender-abnormal-${b.bidId}` },
    h('p', { class: 'warning' }, t('tendering.eval.abnormal', { pct: d.abnormalLowPct }), ' — ', t(`tendering.eval.abnormal.${b.abnormalStatus}`)),
    b.abnormalExplanation
      ? h('figure', { class: 'tender-explanation' }, h('figcaption', {}, t('tendering.eval.explanation', { bidder: b.supplierName ?? b.receiptNo })), h('blockquote', { 'data-testid': `tender-explanation-${b.bidId}` }, b.abnormalExplanation))
      : b.abnormalStatus === 'explanation_requested'
        ? h('p', { class: 'muted small' }, t('tendering.eval.explanationAwaited'))
        : null,
    abnormalActions(d, b, reload),
  );
}

function abnormalActions(d: TenderDetail, b: EvalBid, reload: () => void): HTMLElement | null {
  if (!['flagged', 'explanation_requested', 'explained'].includes(b.abnormalStatus ?? '')) return null;
  const reason = h('input', { placeholder: t('tendering.eval.decisionReason'), 'aria-label': t('tendering.eval.decisionReason'), 'data-testid': `tender-abnormal-reason-${b.bidId}` });
  return h(
    'span',
    {},
    b.abnormalStatus === 'flagged' ? action(t('tendering.eval.askExplanation'), `tender-ask-${b.bidId}`, async () => { await api('POST', `/api/tenders/${d.id}/evaluation/bids/${b.bidId}/explanation-request`, { note: reason.value || t('tendering.eval.abnormal', { pct: d.abnormalLowPct }) }); reload(); }) : null,
    reason,
    action(t('tendering.eval.accept'), `tender-accept-${b.bidId}`, async () => { await api('POST', `/api/tenders/${d.id}/evaluation/bids/${b.bidId}/abnormal-decision`, { accepted: true, reason: reason.value || t('tendering.eval.accept') }); reload(); }),
    action(t('tendering.eval.reject'), `tender-reject-${b.bidId}`, async () => { await api('POST', `/api/tenders/${d.id}/evaluation/bids/${b.bidId}/abnormal-decision`, { accepted: false, reason: reason.value || reasonText('ABNORMALLY_LOW_UNEXPLAINED') }); reload(); }),
  );
}

/**
 * The chair returns a member's submitted scores for correction, with the reason (audited; the
 * member may then change and submit again, which supervisors see as SV13).
 */
function returnPanel(d: TenderDetail, v: EvalView, reload: () => void): HTMLElement {
  const submitted = v.committee.filter((c) => c.submittedAt);
  const done = h('p', { class: 'ok', role: 'status', 'data-testid': 'tender-return-done' });
  return h(
    'div',
    { class: 'tender-return', 'data-testid': 'tender-return' },
    h('h3', {}, t('tendering.eval.returnTitle')),
    h('p', { class: 'muted small' }, t('tendering.eval.returnHint')),
    submitted.length
      ? h('ul', { class: 'plain' }, submitted.map((c, i) => {
          const reason = h('input', { maxlength: 500, 'data-testid': `tender-return-reason-${c.expertId}` }) as HTMLInputElement;
          return h('li', { 'data-expert-id': String(c.expertId) },
            h('span', {}, c.name ?? t('tendering.eval.member', { n: i + 1 })), ' ',
            h('label', {}, t('tendering.eval.returnReason'), reason), ' ',
            action(t('tendering.eval.return'), `tender-return-${c.expertId}`, async () => {
              if (!reason.value.trim()) throw new Error(t('tendering.eval.returnReasonRequired'));
              await api('POST', `/api/tenders/${d.id}/evaluation/members/${c.expertId}/return`, { reason: reason.value.trim() });
              done.textContent = t('tendering.eval.returned', { name: c.name ?? t('tendering.eval.member', { n: i + 1 }) });
              setTimeout(reload, 1500);
            }));
        }))
      : h('p', { class: 'muted', 'data-testid': 'tender-return-none' }, t('tendering.eval.returnNone')),
    done,
  );
}
