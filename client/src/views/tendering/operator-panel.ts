// The procurement centre's side: tender documents from a standard template, publication,
// clarifications and amendments, cancellation; and the award (operator or purchasing unit).
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t } from '../../i18n';
import { action, errorText, money, when, yuanToFen } from './ui';
import type { TenderDetail } from './types';

type Kind = 'goods' | 'services' | 'works';
interface Template { kind: Kind; method: string; priceWeight: number; smeDeductionPct: number; requirements: unknown[]; qualifications: unknown[]; criteria: Array<{ key: string; name: string; kind: string; weight: number }> }

/** datetime-local value ↔ ISO, in the browser's time zone. */
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function newTenderForm(onCreated: (id: number) => void): HTMLElement {
  const root = h('section', { class: 'card', 'data-testid': 'tender-new' }, h('h2', {}, t('tendering.new')));
  void api<{ templates: Record<Kind, Template> }>('GET', '/api/tender-templates').then(({ templates }) => {
    const kind = h('select', { 'data-testid': 'tender-new-kind' }, (['goods', 'services', 'works'] as Kind[]).map((k) => h('option', { value: k }, t(`tendering.kind.${k}`))));
    const title = h('input', { required: true, maxlength: 200, 'data-testid': 'tender-new-title' });
    const category = h('input', { required: true, maxlength: 32, 'data-testid': 'tender-new-category' });
    const project = h('input', { type: 'number', min: 1, 'data-testid': 'tender-new-project' });
    const budget = h('input', { required: true, inputmode: 'decimal', 'data-testid': 'tender-new-budget' });
    const weight = h('input', { type: 'number', min: 0, max: 100, 'data-testid': 'tender-new-weight' });
    const deadline = h('input', { type: 'datetime-local', required: true, value: localInput(new Date(Date.now() + 21 * 86_400_000)), 'data-testid': 'tender-new-deadline' });
    const description = h('textarea', { rows: 3, required: true, 'data-testid': 'tender-new-description' });
    const criteria = h('ul', { class: 'muted small' });
    const err = h('p', { class: 'error', role: 'alert' });
    const paint = () => {
      const tpl = templates[kind.value as Kind];
      weight.value = String(tpl.priceWeight);
      mount(criteria, tpl.criteria.map((c) => h('li', {}, `${c.name}: ${t('tendering.criterion.weight', { weight: c.weight })}`)));
    };
    kind.addEventListener('change', paint);
    paint();
    const onsubmit = async (e: Event) => {
      e.preventDefault();
      err.textContent = '';
      const tpl = templates[kind.value as Kind];
      const budgetFen = yuanToFen(budget.value);
      if (!budgetFen) return void (err.textContent = t('tendering.form.badMoney'));
      const w = Number(weight.value);
      const at = new Date(deadline.value).toISOString();
      try {
        const created = await api<{ id: number }>('POST', '/api/tenders', {
          title: title.value,
          kind: tpl.kind,
          categoryCode: category.value.trim(),
          projectId: project.value ? Number(project.value) : null,
          budgetFen,
          method: tpl.method,
          priceWeight: tpl.method === 'lowest_price' ? 100 : w,
          smeDeductionPct: tpl.smeDeductionPct,
          description: description.value,
          requirements: tpl.requirements,
          qualifications: tpl.qualifications,
          // The price criterion carries the chosen weight; the first technical criterion absorbs the difference.
          criteria: tpl.criteria.map((c, i, all) => (c.kind === 'price' ? { ...c, weight: w } : i === all.findIndex((x) => x.kind !== 'price') ? { ...c, weight: c.weight + tpl.priceWeight - w } : c)),
          bidDeadline: at,
          openingAt: at,
        });
        onCreated(created.id);
      } catch (e2) {
        err.textContent = errorText(e2);
      }
    };
    root.append(
      h(
        'form',
        { class: 'tender-form', onsubmit },
        h('label', {}, t('tendering.form.template'), kind),
        h('label', {}, t('tendering.title'), title),
        h('label', {}, t('tendering.form.category'), category),
        h('label', {}, t('tendering.form.project'), project),
        h('label', {}, t('tendering.form.budgetYuan'), budget),
        h('label', {}, t('tendering.priceWeight'), weight),
        criteria,
        h('label', {}, t('tendering.deadline'), deadline),
        h('label', {}, t('tendering.form.description'), description),
        h('button', { type: 'submit', 'data-testid': 'tender-new-submit' }, t('tendering.form.create')),
        err,
      ),
    );
  }, (e) => root.append(h('p', { class: 'error' }, errorText(e))));
  return root;
}

export function operatorActions(d: TenderDetail, reload: () => void): HTMLElement {
  const root = h('section', { class: 'card', 'data-testid': 'tender-operator' });
  if (d.status === 'draft') root.append(action(t('tendering.publish'), 'tender-publish', async () => { await api('POST', `/api/tenders/${d.id}/publish`); reload(); }));
  if (d.status === 'published') {
    const kind = h('select', { 'data-testid': 'tender-notice-kind' }, h('option', { value: 'clarification' }, t('tendering.notice.kind.clarification')), h('option', { value: 'amendment' }, t('tendering.notice.kind.amendment')));
    const subject = h('input', { maxlength: 200, 'data-testid': 'tender-notice-subject' });
    const body = h('textarea', { rows: 3, 'data-testid': 'tender-notice-body' });
    const substantive = h('input', { type: 'checkbox', 'data-testid': 'tender-notice-substantive' });
    root.append(
      h('h3', {}, t('tendering.noticeForm.title')),
      h('label', {}, t('tendering.noticeForm.kind'), kind),
      h('label', {}, t('tendering.noticeForm.subject'), subject),
      h('label', {}, t('tendering.noticeForm.body'), body),
      h('label', { class: 'inline' }, substantive, t('tendering.noticeForm.substantive')),
      action(t('tendering.noticeForm.submit'), 'tender-notice-submit', async () => { await api('POST', `/api/tenders/${d.id}/notices`, { kind: kind.value, title: subject.value, body: body.value, substantive: substantive.checked }); reload(); }),
    );
  }
  if (d.status === 'draft' || d.status === 'published') {
    const reason = h('input', { placeholder: t('tendering.cancel.reason'), 'data-testid': 'tender-cancel-reason' });
    root.append(h('p', {}, reason, action(t('tendering.cancel'), 'tender-cancel', async () => { await api('POST', `/api/tenders/${d.id}/cancel`, { reason: reason.value || t('tendering.cancel') }); reload(); })));
  }
  if (d.status === 'evaluated') root.append(awardButton(d, reload));
  return root;
}

export function awardButton(d: TenderDetail, reload: () => void): HTMLElement {
  return action(t('tendering.award'), 'tender-award', async () => { await api('POST', `/api/tenders/${d.id}/award`, {}); reload(); });
}

export function awardSummary(d: TenderDetail): HTMLElement | null {
  if (d.status !== 'awarded' || !d.evaluation) return null;
  const winner = d.evaluation.find((b) => b.bidId === d.awardedBidId);
  return h('p', { class: 'ok', 'data-testid': 'tender-awarded' }, t('tendering.awarded', { supplier: winner?.supplierName ?? '', amount: money(d.awardAmountFen), until: when(d.challengeEndsAt) }));
}
