// The procurement centre's side: tender documents from a standard template, publication,
// clarifications and amendments, cancellation; and the award (operator or purchasing unit).
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t } from '../../i18n';
import { action, errorText, yuanToFen } from './ui';
import type { TenderDetail } from './types';

type Kind = 'goods' | 'services' | 'works';
type Method = 'comprehensive' | 'lowest_price';
interface Item { key: string; text: string }
interface Criterion { key: string; name: string; kind: string; weight: number }
interface Template { kind: Kind; method: Method; priceWeight: number; smeDeductionPct: number; requirements: Item[]; qualifications: Item[]; criteria: Criterion[] }
/** GET /api/tender-templates: the templates and the legal rules they are checked against. */
interface Catalogue { templates: Record<Kind, Template>; rules: Record<string, { value: number }> }
/** GET /api/tenders/:id returns these too; a PUT resends them, or the server would reset them. */
type Draft = TenderDetail & { purchasingOrgId: number | null; decryptionMinutes: number };
/** The body POST and PUT /api/tenders(/:id) accept (tenderBody in the server's schemas.ts). */
interface TenderBody {
  title: string;
  kind: Kind;
  categoryCode: string;
  projectId: number | null;
  purchasingOrgId?: number | null;
  budgetFen: number;
  method: Method;
  priceWeight: number;
  smeDeductionPct: number;
  abnormalLowPct?: number;
  decryptionMinutes?: number;
  description: string;
  requirements: Item[];
  qualifications: Item[];
  criteria: Criterion[];
  bidDeadline: string;
  openingAt: string;
}

// maxItems of the request schema.
const MAX_REQUIREMENTS = 50;
const MAX_QUALIFICATIONS = 30;
const KINDS: Kind[] = ['goods', 'services', 'works'];
const METHODS: Method[] = ['comprehensive', 'lowest_price'];

/** datetime-local value ↔ ISO, in the browser's time zone. */
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
/** 123450 fen → "1234.50" by string arithmetic, the inverse of yuanToFen. */
const fenToYuan = (fen: number) => {
  const s = String(fen).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
};

export function newTenderForm(onCreated: (id: number) => void): HTMLElement {
  const root = h('section', { class: 'card', 'data-testid': 'tender-new' }, h('h2', {}, t('tendering.new')));
  void api<Catalogue>('GET', '/api/tender-templates').then(
    (c) => root.append(tenderForm(c, 'tender-new', null, async (body) => onCreated((await api<{ id: number }>('POST', '/api/tenders', body)).id))),
    (e) => root.append(h('p', { class: 'error' }, errorText(e))),
  );
  return root;
}

/** The same form over a draft; saving sends the whole document (PUT takes the full tender body). */
function draftEditForm(d: Draft, onSaved: () => void): HTMLElement {
  const root = h('div', { 'data-testid': 'tender-edit' }, h('h3', {}, t('tendering.form.edit')));
  void api<Catalogue>('GET', '/api/tender-templates').then(
    (c) => root.append(tenderForm(c, 'tender-edit', d, async (body) => { await api('PUT', `/api/tenders/${d.id}`, body); onSaved(); })),
    (e) => root.append(h('p', { class: 'error' }, errorText(e))),
  );
  return root;
}

/** An editable list of requirement or qualification texts; each row keeps its key (bids and compliance checks refer to it). */
function itemList(p: string, id: 'req' | 'qual', max: number, addLabel: string) {
  let items: Item[] = [];
  const box = h('ol', { 'data-testid': `${p}-${id}s` });
  const add = h('button', { type: 'button', 'data-testid': `${p}-${id}-add` }, addLabel);
  const paint = () => {
    mount(
      box,
      items.map((it, i) =>
        h(
          'li',
          {},
          h(
            'div',
            { class: 'tender-row' },
            h('input', { required: true, maxlength: 2000, value: it.text, 'data-testid': `${p}-${id}-${it.key}`, oninput: (e: Event) => void (it.text = (e.target as HTMLInputElement).value) }),
            h('button', { type: 'button', 'data-testid': `${p}-${id}-remove-${it.key}`, onclick: () => { items.splice(i, 1); paint(); } }, t('tendering.form.remove')),
          ),
        ),
      ),
    );
    add.disabled = items.length >= max;
  };
  add.addEventListener('click', () => {
    // A fresh key in the schema's pattern, unused in this list.
    const prefix = id === 'req' ? 'r' : 'q';
    let n = items.length + 1;
    while (items.some((x) => x.key === `${prefix}-${n}`)) n++;
    items.push({ key: `${prefix}-${n}`, text: '' });
    paint();
    box.querySelector<HTMLInputElement>('li:last-child input')?.focus();
  });
  return {
    el: h('div', {}, box, add),
    set(list: Item[]) {
      items = list.map((x) => ({ key: x.key, text: x.text }));
      paint();
    },
    get: (): Item[] => items.map((x) => ({ key: x.key, text: x.text.trim() })),
  };
}

/**
 * The tender-document form: a template (new) or a draft (edit) fills it; the operator edits the
 * terms, the page checks what it can say clearly (weights, dates), the server checks the legal rules.
 */
function tenderForm({ templates, rules }: Catalogue, p: string, draft: Draft | null, save: (body: TenderBody) => Promise<void>): HTMLFormElement {
  // Kind, category and project are checked against the catalogue and the project only when a draft is created.
  const locked = !!draft;
  const kind = h('select', { disabled: locked, 'data-testid': `${p}-kind` }, KINDS.map((k) => h('option', { value: k }, t(`tendering.kind.${k}`))));
  kind.value = draft?.kind ?? 'goods';
  const title = h('input', { required: true, maxlength: 200, value: draft?.title, 'data-testid': `${p}-title` });
  const category = h('input', { required: true, maxlength: 32, disabled: locked, value: draft?.categoryCode, 'data-testid': `${p}-category` });
  const project = h('input', { type: 'number', min: 1, disabled: locked, value: draft?.projectId ?? undefined, 'data-testid': `${p}-project` });
  // A project's budget bounds the tender's, which the server checks at creation only.
  const budget = h('input', { required: true, inputmode: 'decimal', disabled: !!draft?.projectId, value: draft ? fenToYuan(draft.budgetFen) : undefined, 'data-testid': `${p}-budget` });
  const method = h('select', { 'data-testid': `${p}-method` }, METHODS.map((m) => h('option', { value: m }, t(`tendering.method.${m}`))));
  const reqs = itemList(p, 'req', MAX_REQUIREMENTS, t('tendering.form.addRequirement'));
  const quals = itemList(p, 'qual', MAX_QUALIFICATIONS, t('tendering.form.addQualification'));
  const criteriaBox = h('div', {});
  const sumLine = h('p', { class: 'small', 'data-testid': `${p}-weight-sum` });
  const sumErr = h('p', { class: 'error', role: 'status', 'data-testid': `${p}-weight-error` });
  const deadline = h('input', { type: 'datetime-local', required: true, value: localInput(draft ? new Date(draft.bidDeadline) : new Date(Date.now() + 21 * 86_400_000)), 'data-testid': `${p}-deadline` });
  // The opening defaults to the deadline and follows it until the operator sets it apart.
  const opening = h('input', { type: 'datetime-local', required: true, value: draft ? localInput(new Date(draft.openingAt)) : deadline.value, 'data-testid': `${p}-opening` });
  let openingSet = !!draft && draft.openingAt !== draft.bidDeadline;
  opening.addEventListener('input', () => void (openingSet = true));
  deadline.addEventListener('input', () => {
    if (!openingSet) opening.value = deadline.value;
  });
  const description = h('textarea', { rows: 3, required: true, maxlength: 20000, 'data-testid': `${p}-description` });
  description.value = draft?.description ?? '';
  const submit = h('button', { type: 'submit', 'data-testid': `${p}-submit` }, t(draft ? 'tendering.form.save' : 'tendering.form.create'));
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': `${p}-error` });

  let criteria: Criterion[] = [];
  let smeDeductionPct = 0;
  const sum = () => criteria.reduce((n, c) => n + c.weight, 0);
  const paintSum = () => {
    const n = sum();
    sumLine.textContent = t('tendering.form.weightSum', { sum: n });
    sumErr.textContent = n === 100 ? '' : t('tendering.form.weightsNot100', { sum: n });
  };
  const priceRange = (k: Kind) => {
    const name = k === 'goods' ? 'Goods' : k === 'services' ? 'Services' : null;
    const min = name && rules[`priceWeight${name}Min`]?.value;
    const max = name && rules[`priceWeight${name}Max`]?.value;
    return typeof min === 'number' && typeof max === 'number' ? { min, max } : null;
  };
  const paintCriteria = () => {
    const k = kind.value as Kind;
    // Comprehensive scoring needs criteria; a template without any (works) offers only its own method.
    method.querySelector<HTMLOptionElement>('option[value=comprehensive]')!.disabled = !criteria.length;
    if (method.value === 'lowest_price') return mount(criteriaBox, h('p', { class: 'muted small' }, t('tendering.form.noCriteria')));
    const range = priceRange(k);
    mount(
      criteriaBox,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'tender-criteria', 'data-testid': `${p}-criteria` },
          h('thead', {}, h('tr', {}, h('th', {}, t('tendering.form.criterion')), h('th', {}, t('tendering.form.criterionKind')), h('th', {}, t('tendering.form.weight')))),
          h(
            'tbody',
            {},
            criteria.map((c) =>
              h(
                'tr',
                {},
                h('td', {}, c.name),
                h('td', {}, t(`tendering.criterion.kind.${c.kind}`)),
                h(
                  'td',
                  {},
                  // The price criterion's weight is the price weight.
                  h('input', { type: 'number', min: 0, max: 100, step: 1, required: true, value: c.weight, 'aria-label': c.name, 'data-testid': c.kind === 'price' ? `${p}-weight` : `${p}-criterion-${c.key}`, oninput: (e: Event) => { c.weight = Number((e.target as HTMLInputElement).value) || 0; paintSum(); } }),
                ),
              ),
            ),
          ),
        ),
      ),
      sumLine,
      sumErr,
      range ? h('p', { class: 'muted small' }, t('tendering.form.priceWeightRange', { kind: t(`tendering.kind.${k}`), min: range.min, max: range.max })) : null,
    );
    paintSum();
  };
  const copy = (xs: Criterion[]) => xs.map((c) => ({ key: c.key, name: c.name, kind: c.kind, weight: c.weight }));
  const load = (tpl: Template) => {
    method.value = tpl.method;
    smeDeductionPct = tpl.smeDeductionPct;
    reqs.set(tpl.requirements);
    quals.set(tpl.qualifications);
    criteria = copy(tpl.criteria);
    paintCriteria();
  };
  if (draft) {
    method.value = draft.method;
    smeDeductionPct = draft.smeDeductionPct;
    reqs.set(draft.requirements);
    quals.set(draft.qualifications);
    // A lowest-price draft keeps the template's criteria ready in case the operator switches method.
    criteria = copy(draft.criteria.length ? draft.criteria : templates[draft.kind as Kind].criteria);
    paintCriteria();
  } else load(templates.goods);
  kind.addEventListener('change', () => load(templates[kind.value as Kind]));
  method.addEventListener('change', paintCriteria);

  /** The input's ISO time; an untouched draft time is sent as stored (the input drops seconds). */
  const isoOf = (input: HTMLInputElement, stored: string | undefined) => (stored && input.value === localInput(new Date(stored)) ? stored : new Date(input.value).toISOString());
  const onsubmit = async (e: Event) => {
    e.preventDefault();
    err.textContent = '';
    const m = method.value as Method;
    const budgetFen = yuanToFen(budget.value);
    if (!budgetFen) return void (err.textContent = t('tendering.form.badMoney'));
    const requirements = reqs.get();
    const qualifications = quals.get();
    if (!requirements.length) return void (err.textContent = t('tendering.form.noRequirements'));
    if ([...requirements, ...qualifications].some((x) => !x.text)) return void (err.textContent = t('tendering.form.emptyRow'));
    if (m === 'comprehensive' && sum() !== 100) return void (err.textContent = t('tendering.form.weightsNot100', { sum: sum() }));
    const bidDeadline = isoOf(deadline, draft?.bidDeadline);
    const openingAt = isoOf(opening, draft?.openingAt);
    if (new Date(openingAt) < new Date(bidDeadline)) return void (err.textContent = t('tendering.form.openingBeforeDeadline'));
    const body: TenderBody = {
      title: title.value,
      kind: kind.value as Kind,
      categoryCode: category.value.trim(),
      projectId: project.value ? Number(project.value) : null,
      // Terms the form does not show are resent as the draft holds them.
      ...(draft ? { purchasingOrgId: draft.purchasingOrgId, abnormalLowPct: draft.abnormalLowPct, decryptionMinutes: draft.decryptionMinutes } : {}),
      budgetFen,
      method: m,
      priceWeight: m === 'lowest_price' ? 100 : (criteria.find((c) => c.kind === 'price')?.weight ?? 0),
      smeDeductionPct,
      description: description.value,
      requirements,
      qualifications,
      criteria: m === 'lowest_price' ? [] : copy(criteria),
      bidDeadline,
      openingAt,
    };
    submit.disabled = true;
    try {
      await save(body);
    } catch (e2) {
      err.textContent = errorText(e2);
    } finally {
      submit.disabled = false;
    }
  };
  return h(
    'form',
    { class: 'tender-form tender-doc-form', onsubmit },
    h('label', {}, t('tendering.form.template'), kind),
    h('label', {}, t('tendering.title'), title),
    h('label', {}, t('tendering.form.category'), category),
    h('label', {}, t('tendering.form.project'), project),
    h('label', {}, t('tendering.form.budgetYuan'), budget),
    locked ? h('p', { class: 'muted small' }, t('tendering.form.lockedHint')) : null,
    h('fieldset', {}, h('legend', {}, t('tendering.requirements')), reqs.el),
    h('fieldset', {}, h('legend', {}, t('tendering.qualifications')), quals.el),
    h('label', {}, t('tendering.method'), method),
    h('fieldset', {}, h('legend', {}, t('tendering.criteria')), criteriaBox),
    h('label', {}, t('tendering.deadline'), deadline),
    h('label', {}, t('tendering.opening'), opening),
    h('label', {}, t('tendering.form.description'), description),
    submit,
    err,
  );
}

export function operatorActions(d: TenderDetail, reload: () => void): HTMLElement {
  const root = h('section', { class: 'card', 'data-testid': 'tender-operator' });
  if (d.status === 'draft') {
    // Until publication the documents may still change; saving reloads the page with the new terms.
    const slot = h('div', {});
    const toggle = () => (slot.childElementCount ? mount(slot) : mount(slot, draftEditForm(d as Draft, reload)));
    root.append(
      h('p', {}, action(t('tendering.publish'), 'tender-publish', async () => { await api('POST', `/api/tenders/${d.id}/publish`); reload(); }), h('button', { type: 'button', 'data-testid': 'tender-edit-open', onclick: toggle }, t('tendering.form.edit'))),
      slot,
    );
  }
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
    const reason = h('input', { placeholder: t('tendering.cancel.reason'), 'aria-label': t('tendering.cancel.reason'), 'data-testid': 'tender-cancel-reason' });
    root.append(h('p', {}, reason, action(t('tendering.cancel'), 'tender-cancel', async () => { await api('POST', `/api/tenders/${d.id}/cancel`, { reason: reason.value || t('tendering.cancel') }); reload(); })));
  }
  return root;
}
