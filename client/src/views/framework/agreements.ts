// Framework agreements (框架协议采购): the list, the centre's call for entry and its steps, the
// supplier's sealed response and signature, the entry suppliers with their agreement prices, orders.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, locale, formatFen } from '../../i18n';
import { hasRole, session } from '../../session';
import { actionButton, when, yuanToFen } from '../workflow/common';
import { generateBidKey, keyForEnvelope, keyFromKeyFile, keyMatchesEnvelope, newPassphraseKdf } from '../tendering/sealing';
import { responseKeyFileContent, sealResponse } from './sealing';
import { frameworkReasonText } from './reasons';

export interface Item { id: number; lineNo: number; categoryCode: string; name: string; specification: string; unit: string; maxPriceFen: number }
export interface Entry { supplierId: number; supplierName: string; rank: number; totalFen: number; signedAt: string | null; prices: Array<{ itemId: number; unitPriceFen: number; brand: string; model: string }> }
export interface Order { id: number; projectId: number; projectRef: string; mode: string; orgNameZh: string; orgNameEn: string; supplierName: string | null; awardFen: number | null; amountFen: number | null; auctionId: number | null; auctionCode: string | null; competitionPriceFen: number | null; stage: string }
export interface Agreement {
  id: number; ref: string; title: string; categoryCode: string; evaluationMethod: string; entryConditions: string; secondStageModes: string[]; termStart: string; termEnd: string; responseDeadline: string | null; status: string; failureReason: string | null;
  items: Item[]; responseCount: number | null; entries: Entry[]; orders: Order[];
  responses: Array<{ supplierId: number; supplierName: string; receiptNo: string; totalFen: number | null; valid: boolean | null; invalidReason: string | null; qualityScore: number | null; rank: number | null }>;
  myResponse: { receiptNo: string; status: string; submittedAt: string; valid: boolean | null; invalidReason: string | null; rank: number | null; keyAttempts: number; envelope: string | null } | null;
  keyWindowEndsAt: string | null;
}

let catalogue: Map<string, { nameZh: string; nameEn: string }> | null = null;
async function categories() {
  if (!catalogue) catalogue = new Map(((await api('GET', '/api/catalogue')).items as Array<{ code: string; nameZh: string; nameEn: string }>).map((c) => [c.code, c]));
  return catalogue;
}
export const categoryText = (cats: Map<string, { nameZh: string; nameEn: string }>, code: string) => {
  const c = cats.get(code);
  return c ? `${code} ${locale() === 'en' ? c.nameEn : c.nameZh}` : code;
};

export const badge = (status: string) => h('span', { class: `wf-badge wf-${status}`, 'data-status': status }, t(`framework.status.${status}`));
const field = (label: string, el: HTMLElement) => h('label', {}, label, el);

/** Why a response is invalid, in the reader's words (a code without a sentence: the generic one). */
export function invalidReasonText(reason: string | null): string {
  return (reason && frameworkReasonText(reason, t)) || t('framework.invalid.other');
}

/** A plain table with its empty state. */
export function table(testId: string, heads: string[], rows: Array<Array<string | Node | null>>, empty: string): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', 'data-testid': testId },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, heads.map((k) => h('th', {}, t(k))))),
      h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))) : h('tr', {}, h('td', { colspan: heads.length, class: 'empty' }, t(empty)))),
    ),
  );
}

export function frameworkListView(): HTMLElement {
  const list = h('div', {}, h('p', { class: 'muted' }, '…'));
  const load = async () => {
    const [rows, cats] = await Promise.all([api<Array<Agreement & { entryCount: number; mine: boolean }>>('GET', '/api/framework-agreements'), categories()]);
    mount(
      list,
      table(
        'framework-list',
        ['framework.ref', 'framework.name', 'framework.category', 'framework.method', 'framework.term', 'framework.status', 'framework.entryCount'],
        rows.map((a) => [
          h('a', { href: `/framework-agreements/${a.id}`, 'data-testid': `agreement-${a.ref}` }, a.ref),
          a.title,
          categoryText(cats, a.categoryCode),
          t(`framework.method.${a.evaluationMethod}`),
          `${a.termStart} — ${a.termEnd}`,
          h('span', {}, badge(a.status), a.mine ? h('span', { class: 'wf-badge' }, t('framework.mine')) : null),
          String(a.entryCount),
        ]),
        'framework.empty',
      ),
    );
  };
  void load();
  return h('section', { 'data-testid': 'framework-agreements' }, h('h1', {}, t('framework.title')), hasRole('operator') ? callForm() : null, list, hasRole('finance', 'supervisor', 'admin', 'operator') ? reportPanel() : null);
}

interface ReportRow { ref: string; title: string; ordersByMode: Record<string, number>; agreementFen: number; awardFen: number; savingsFen: number; secondCompetitions: { total: number; closed: number } }

/** The framework report for the finance bureau, supervisors and the centre (GET /api/reports/framework). */
function reportPanel(): HTMLElement {
  const box = h('div', {}, h('p', { class: 'muted' }, '…'));
  void api<{ rows: ReportRow[] }>('GET', '/api/reports/framework').then((r) =>
    mount(
      box,
      table(
        'framework-report',
        ['framework.ref', 'framework.mode.direct', 'framework.mode.rotation', 'framework.mode.competition', 'framework.report.atPrices', 'framework.report.awarded', 'framework.report.savings', 'framework.report.competitions'],
        r.rows.map((x) => [x.ref, String(x.ordersByMode.direct), String(x.ordersByMode.rotation), String(x.ordersByMode.competition), h('span', { class: 'amount' }, formatFen(x.agreementFen)), h('span', { class: 'amount' }, formatFen(x.awardFen)), h('span', { class: 'amount' }, formatFen(x.savingsFen)), t('framework.report.closedOf', { closed: x.secondCompetitions.closed, total: x.secondCompetitions.total })]),
        'framework.empty',
      ),
    ),
  );
  return h('div', { class: 'wf-panel' }, h('h2', {}, t('framework.report.title')), box);
}

/** The centre's form for a new call for entry (saved as a draft, published from its page). */
function callForm(): HTMLElement {
  const title = h('input', { 'data-testid': 'call-title' });
  const category = h('input', { 'data-testid': 'call-category', placeholder: 'A02010108' });
  const method = h('select', { 'data-testid': 'call-method' }, ['price_priority', 'quality_priority'].map((m) => h('option', { value: m }, t(`framework.method.${m}`))));
  const conditions = h('textarea', { rows: 2, 'data-testid': 'call-conditions' });
  const modes = ['direct', 'competition', 'rotation'].map((m) => h('input', { type: 'checkbox', value: m, checked: true, 'data-testid': `call-mode-${m}` }) as HTMLInputElement);
  const start = h('input', { type: 'date', 'data-testid': 'call-start' });
  const end = h('input', { type: 'date', 'data-testid': 'call-end' });
  const itemsBox = h('div', { class: 'wf-items' });
  const rows: Array<Record<string, HTMLInputElement>> = [];
  const addRow = () => {
    const r = { categoryCode: h('input', { 'data-testid': 'item-category' }), name: h('input', { 'data-testid': 'item-name' }), specification: h('input', { 'data-testid': 'item-spec' }), unit: h('input', { 'data-testid': 'item-unit' }), maxPrice: h('input', { inputmode: 'decimal', 'data-testid': 'item-max' }) } as Record<string, HTMLInputElement>;
    rows.push(r);
    itemsBox.append(h('div', { class: 'wf-inline' }, field(t('framework.item.category'), r.categoryCode), field(t('framework.item.name'), r.name), field(t('framework.item.spec'), r.specification), field(t('framework.item.unit'), r.unit), field(t('framework.item.maxPrice'), r.maxPrice)));
  };
  addRow();
  return h(
    'details',
    { class: 'wf-panel', 'data-testid': 'call-form' },
    h('summary', {}, t('framework.new')),
    h('div', { class: 'wf-inline' }, field(t('framework.name'), title), field(t('framework.category'), category), field(t('framework.method'), method)),
    field(t('framework.conditions'), conditions),
    h('fieldset', {}, h('legend', {}, t('framework.modes')), modes.map((m) => h('label', {}, m, t(`framework.mode.${m.value}`)))),
    h('div', { class: 'wf-inline' }, field(t('framework.termStart'), start), field(t('framework.termEnd'), end)),
    h('h3', {}, t('framework.items')),
    itemsBox,
    h('button', { type: 'button', onclick: addRow }, t('framework.item.add')),
    actionButton(t('framework.create'), 'call-create', async () => {
      const a = await api<Agreement>('POST', '/api/framework-agreements', {
        title: title.value,
        categoryCode: category.value.trim(),
        evaluationMethod: method.value,
        entryConditions: conditions.value,
        secondStageModes: modes.filter((m) => m.checked).map((m) => m.value),
        termStart: start.value,
        termEnd: end.value,
        items: rows.map((r) => ({ categoryCode: r.categoryCode.value.trim(), name: r.name.value, specification: r.specification.value, unit: r.unit.value, maxPriceFen: yuanToFen(r.maxPrice.value) ?? -1 })),
      });
      history.pushState({}, '', `/framework-agreements/${a.id}`);
      dispatchEvent(new PopStateEvent('popstate'));
    }),
  );
}

function entriesTable(a: Agreement): HTMLElement {
  return table(
    'framework-entries',
    ['framework.response.rank', 'framework.response.supplier', 'framework.entry.price', 'framework.entry.brand', 'framework.status'],
    a.entries.map((e) => [
      String(e.rank),
      e.supplierName,
      h('span', {}, e.prices.map((p) => h('div', { class: 'amount' }, formatFen(p.unitPriceFen)))),
      e.prices.map((p) => `${p.brand} ${p.model}`).join('；'),
      e.signedAt ? `${t('framework.entry.signed')} ${when(e.signedAt)}` : t('framework.entry.unsigned'),
    ]),
    'framework.entries.none',
  );
}

export function ordersTable(orders: Order[]): HTMLElement {
  return table(
    'framework-orders',
    ['framework.order.project', 'framework.order.unit', 'framework.order.mode', 'framework.order.supplier', 'framework.order.amount', 'framework.order.competition'],
    orders.map((o) => [
      o.projectRef,
      locale() === 'en' ? o.orgNameEn : o.orgNameZh,
      t(`framework.mode.${o.mode}`),
      o.supplierName ?? '',
      o.awardFen !== null ? h('span', { class: 'amount' }, formatFen(o.awardFen)) : '',
      o.competitionPriceFen !== null ? h('span', {}, o.auctionCode ?? '', ' ', h('span', { class: 'amount' }, formatFen(o.competitionPriceFen))) : o.auctionCode ?? '',
    ]),
    'framework.orders.none',
  );
}

export function facts(a: Agreement, cats: Map<string, { nameZh: string; nameEn: string }>): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    h('dt', {}, t('framework.category')), h('dd', {}, categoryText(cats, a.categoryCode)),
    h('dt', {}, t('framework.method')), h('dd', {}, t(`framework.method.${a.evaluationMethod}`)),
    h('dt', {}, t('framework.term')), h('dd', {}, `${a.termStart} — ${a.termEnd}`),
    h('dt', {}, t('framework.deadline')), h('dd', {}, a.responseDeadline ? when(a.responseDeadline) : '—'),
    h('dt', {}, t('framework.modes')), h('dd', {}, a.secondStageModes.map((m) => t(`framework.mode.${m}`)).join('、')),
    h('dt', {}, t('framework.conditions')), h('dd', {}, a.entryConditions),
  );
}

export function itemsTable(a: Agreement, cats: Map<string, { nameZh: string; nameEn: string }>): HTMLElement {
  return table('framework-items', ['framework.item.category', 'framework.item.name', 'framework.item.spec', 'framework.item.unit', 'framework.item.maxPrice'], a.items.map((i) => [categoryText(cats, i.categoryCode), i.name, i.specification, i.unit, h('span', { class: 'amount' }, formatFen(i.maxPriceFen))]), 'framework.entries.none');
}

export function frameworkDetailView(params: Record<string, string>): HTMLElement {
  const root = h('section', { 'data-testid': 'framework-agreement' }, h('p', { class: 'muted' }, '…'));
  const load = async () => {
    const [a, cats] = await Promise.all([api<Agreement>('GET', `/api/framework-agreements/${params.id}`), categories()]);
    const post = (path: string, body?: unknown) => async () => {
      await api('POST', `/api/framework-agreements/${a.id}/${path}`, body);
      await load();
    };
    mount(
      root,
      h('h1', {}, `${a.ref} · ${a.title}`),
      h('p', { 'data-testid': 'agreement-status' }, badge(a.status)),
      a.failureReason ? h('p', { class: 'error' }, a.failureReason.startsWith('TOO_FEW') ? t('err.TOO_FEW_RESPONDERS') : a.failureReason) : null,
      facts(a, cats),
      h('h2', {}, t('framework.items')),
      itemsTable(a, cats),
      hasRole('operator') ? centreSteps(a, post) : null,
      hasRole('supplier') ? supplierSteps(a, post, load) : null,
      h('h2', {}, t('framework.entries')),
      entriesTable(a),
      h('h2', {}, t('framework.orders')),
      ordersTable(a.orders),
    );
  };
  void load().catch((e) => mount(root, h('p', { class: 'error' }, String((e as Error).message))));
  return root;
}

function centreSteps(a: Agreement, post: (path: string, body?: unknown) => () => Promise<void>): HTMLElement | null {
  const panel = (...c: Array<HTMLElement | null>) => h('div', { class: 'wf-panel', 'data-testid': 'centre-steps' }, ...c);
  if (a.status === 'draft') {
    const deadline = h('input', { type: 'datetime-local', 'data-testid': 'call-deadline' });
    return panel(h('div', { class: 'wf-inline' }, field(t('framework.deadline'), deadline), actionButton(t('framework.publish'), 'call-publish', async () => post('publish', { responseDeadline: deadline.value ? new Date(deadline.value).toISOString() : '' })())));
  }
  if (a.status === 'opening') return panel(h('p', { 'data-testid': 'key-window' }, t('framework.keyWindow', { time: when(a.keyWindowEndsAt), n: a.responseCount ?? 0 })));
  if (a.status === 'calling') return panel(h('p', { 'data-testid': 'sealed-count' }, t('framework.responses.sealed', { n: a.responseCount ?? 0 })), h('p', { class: 'muted' }, t('framework.openWait')), actionButton(t('framework.open'), 'call-open', post('open')));
  if (a.status === 'evaluation') {
    const inputs = a.responses.map((r) => ({ r, score: h('input', { type: 'number', min: '0', max: '100', 'aria-label': t('framework.response.score'), 'data-testid': `score-${r.supplierId}` }) as HTMLInputElement, reject: h('input', { 'aria-label': t('framework.response.reject'), 'data-testid': `reject-${r.supplierId}` }) as HTMLInputElement }));
    return panel(
      h('h2', {}, t('framework.responses')),
      table(
        'framework-responses',
        ['framework.response.supplier', 'framework.response.total', 'framework.response.valid', 'framework.response.score', 'framework.response.reject'],
        inputs.map(({ r, score, reject }) => [r.supplierName, r.totalFen !== null ? h('span', { class: 'amount' }, formatFen(r.totalFen)) : '', r.valid ? t('framework.response.valid') : t('framework.response.invalid', { reason: invalidReasonText(r.invalidReason) }), r.valid && a.evaluationMethod === 'quality_priority' ? score : '', r.valid ? reject : '']),
        'framework.responses.none',
      ),
      actionButton(t('framework.evaluate'), 'call-evaluate', async () =>
        post('evaluate', {
          scores: a.evaluationMethod === 'quality_priority' ? inputs.filter((x) => x.r.valid && x.score.value !== '').map((x) => ({ supplierId: x.r.supplierId, qualityScore: Number(x.score.value) })) : [],
          rejections: inputs.filter((x) => x.r.valid && x.reject.value.trim()).map((x) => ({ supplierId: x.r.supplierId, reason: x.reject.value.trim() })),
        })(),
      ),
    );
  }
  if (a.responses.length)
    return panel(
      h('h2', {}, t('framework.responses')),
      table('framework-responses', ['framework.response.rank', 'framework.response.supplier', 'framework.response.total', 'framework.response.valid'], a.responses.map((r) => [r.rank === null ? '' : String(r.rank), r.supplierName, r.totalFen !== null ? h('span', { class: 'amount' }, formatFen(r.totalFen)) : '', r.valid ? t('framework.response.valid') : t('framework.response.invalid', { reason: invalidReasonText(r.invalidReason) })]), 'framework.responses.none'),
    );
  return null;
}

function supplierSteps(a: Agreement, post: (path: string, body?: unknown) => () => Promise<void>, reload: () => Promise<void>): HTMLElement | null {
  const parts: Array<HTMLElement | null> = [];
  const mine = a.myResponse;
  if (mine && mine.status !== 'withdrawn') parts.push(h('p', { 'data-testid': 'my-receipt' }, t('framework.receipt', { receipt: mine.receiptNo, time: when(mine.submittedAt) })));
  if (mine && mine.valid !== null) parts.push(h('p', { 'data-testid': 'my-result' }, t('framework.myResult', { result: mine.valid ? t('framework.response.valid') : t('framework.response.invalid', { reason: invalidReasonText(mine.invalidReason) }) }), mine.rank ? ` · ${t('framework.myRank', { rank: mine.rank })}` : ''));
  if (a.status === 'calling') parts.push(responseForm(a, post, reload));
  if (a.status === 'opening' && mine?.status === 'sealed' && mine.envelope) parts.push(keyForm(a, mine.envelope, mine.keyAttempts, post));
  if (a.status === 'opening' && mine?.status === 'decrypted') parts.push(h('p', { class: 'ok', 'data-testid': 'my-decrypted' }, t('framework.key.decrypted')));
  const me = a.entries.find((e) => a.myResponse && e.rank === a.myResponse.rank);
  if (a.status === 'entries_published' && me && !me.signedAt) parts.push(actionButton(t('framework.sign'), 'agreement-sign', post('sign')));
  return parts.length ? h('div', { class: 'wf-panel', 'data-testid': 'supplier-steps' }, ...parts) : null;
}

/** The key file of the response just sealed here, offered until the page is left (never sent). */
const keyFiles = new Map<number, { name: string; text: string }>();

/** The response, sealed in this browser (the tendering envelope) under a key file or a passphrase. */
function responseForm(a: Agreement, post: (path: string, body?: unknown) => () => Promise<void>, reload: () => Promise<void>): HTMLElement {
  const mine = a.myResponse;
  const rows = a.items.map((i) => ({ i, price: h('input', { inputmode: 'decimal', 'data-testid': `respond-price-${i.lineNo}` }) as HTMLInputElement, brand: h('input', { 'data-testid': `respond-brand-${i.lineNo}` }) as HTMLInputElement, model: h('input', { 'data-testid': `respond-model-${i.lineNo}` }) as HTMLInputElement }));
  const statement = h('textarea', { rows: 2, 'data-testid': 'respond-statement' }) as HTMLTextAreaElement;
  const modeFile = h('input', { type: 'radio', name: 'fw-key-mode', checked: true, 'data-testid': 'respond-mode-file' }) as HTMLInputElement;
  const modePass = h('input', { type: 'radio', name: 'fw-key-mode', 'data-testid': 'respond-mode-pass' }) as HTMLInputElement;
  const pass1 = h('input', { type: 'password', autocomplete: 'new-password', 'data-testid': 'respond-pass' }) as HTMLInputElement;
  const pass2 = h('input', { type: 'password', autocomplete: 'new-password', 'data-testid': 'respond-pass2' }) as HTMLInputElement;
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'respond-error' });
  const kept = keyFiles.get(a.id);
  const submit = async () => {
    err.textContent = '';
    const items = rows.map((r) => ({ itemId: r.i.id, unitPriceFen: yuanToFen(r.price.value) ?? 0, brand: r.brand.value.trim(), model: r.model.value.trim() }));
    if (items.some((x) => x.unitPriceFen < 1)) return void (err.textContent = t('framework.respond.badPrice'));
    const usePass = modePass.checked;
    if (usePass && (pass1.value.length < 8 || pass1.value !== pass2.value)) return void (err.textContent = t('framework.respond.passphraseMismatch'));
    // Sealing is synchronous CPU work (PBKDF2 for a passphrase): let the page paint first.
    await new Promise((r) => setTimeout(r, 20));
    const response = { agreementId: a.id, supplierId: session.user!.supplierId!, statement: statement.value, items };
    const sealed = usePass ? sealResponse(response, { passphrase: pass1.value, kdf: newPassphraseKdf() }) : sealResponse(response, { keyHex: generateBidKey() });
    const receipt = await api<{ receiptNo: string; digest: string }>('POST', `/api/framework-agreements/${a.id}/responses`, { envelope: sealed.envelope, digest: sealed.digest });
    // Only now, with the receipt, does the key file exist; the key never went to the server.
    if (!usePass) keyFiles.set(a.id, { name: `${receipt.receiptNo}.bidkey.json`, text: responseKeyFileContent({ agreementId: a.id, agreementRef: a.ref, receiptNo: receipt.receiptNo, digest: sealed.digest, keyHex: sealed.keyHex }) });
    else keyFiles.delete(a.id);
    await reload();
  };
  return h(
    'div',
    { 'data-testid': 'respond-form' },
    h('h2', {}, t('framework.respond')),
    h('p', { class: 'muted small' }, t('framework.respond.sealedNote')),
    kept ? h('p', {}, h('a', { href: URL.createObjectURL(new Blob([kept.text], { type: 'application/json' })), download: kept.name, class: 'button', 'data-testid': 'respond-key-download' }, t('framework.respond.downloadKey'))) : null,
    ...rows.map((r) => h('div', { class: 'wf-inline' }, h('strong', {}, r.i.name), field(t('framework.respond.price'), r.price), field(t('framework.respond.brand'), r.brand), field(t('framework.respond.model'), r.model))),
    field(t('framework.respond.statement'), statement),
    h('fieldset', {}, h('legend', {}, t('framework.respond.keyMode')), h('label', { class: 'inline' }, modeFile, t('framework.respond.keyFile')), h('label', { class: 'inline' }, modePass, t('framework.respond.passphrase')), field(t('framework.respond.passphrase'), pass1), field(t('framework.respond.passphrase2'), pass2)),
    actionButton(t('framework.respond.submit'), 'respond-submit', submit),
    err,
    mine && mine.status === 'sealed' ? actionButton(t('framework.respond.withdraw'), 'respond-withdraw', post('responses/withdraw')) : null,
  );
}

/**
 * In the key window: the supplier hands in its key (key file, or derived here from the passphrase),
 * checked against its envelope in this browser first so that a mistake costs no attempt.
 */
function keyForm(a: Agreement, envelope: string, used: number, post: (path: string, body?: unknown) => () => Promise<void>): HTMLElement {
  const file = h('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'key-file' }) as HTMLInputElement;
  const pass = h('input', { type: 'password', autocomplete: 'off', 'data-testid': 'key-pass' }) as HTMLInputElement;
  const say = h('p', { class: 'warning', role: 'status', 'data-testid': 'key-message' });
  const submit = async () => {
    say.textContent = '';
    let keyHex: string;
    const f = file.files?.[0];
    try {
      if (f) keyHex = keyFromKeyFile(await f.text());
      else if (pass.value) keyHex = keyForEnvelope(envelope, { passphrase: pass.value });
      else return void (say.textContent = t('framework.key.need'));
    } catch {
      return void (say.textContent = t('framework.key.localWrong'));
    }
    if (!keyMatchesEnvelope(envelope, keyHex)) return void (say.textContent = t('framework.key.localWrong'));
    await post('responses/key', { keyHex })();
  };
  return h(
    'div',
    { 'data-testid': 'key-form' },
    h('h2', {}, t('framework.key.title')),
    h('p', { class: 'muted' }, t('framework.keyWindow', { time: when(a.keyWindowEndsAt), n: a.responseCount ?? 0 })),
    used ? h('p', { class: 'muted small' }, t('framework.key.attempts', { used })) : null,
    field(t('framework.key.file'), file),
    field(t('framework.key.passphrase'), pass),
    actionButton(t('framework.key.submit'), 'key-submit', submit),
    say,
  );
}
