// Purchaser workspace: my requisitions, the new-requisition form with live budget availability,
// and one requisition with its status timeline.
import { h, mount, newestOnly } from '../../dom';
import { api } from '../../api';
import { t, formatFen, locale } from '../../i18n';
import { session, hasRole } from '../../session';
import { pagedTable } from '../table';
import { actionButton, errorText, statusBadge, when, yuanToFen } from './common';
import { provisionalMark } from '../calendar/marks';
import { live } from '../../main';

interface Step { id: number; round: number; seq: number; nameZh: string; nameEn: string; status: string; decidedBy: string | null; comment: string | null; activatedAt: string | null; dueAt: string | null; dueProvisional?: boolean; decidedAt: string | null; overdueAt: string | null }
interface Item { categoryCode: string; name: string; specification: string; quantity: number; unit: string; unitPriceFen: number; amountFen?: number }
export interface Requisition {
  id: number; ref: string; title: string; orgNameZh: string; orgNameEn: string; budgetLineId: number; budgetLineCode: string; justification: string; neededBy: string;
  totalFen: number; frozenFen: number; status: string; method: string | null; methodReason: string | null; splitSuspected: boolean; requestedMethod?: string | null; methodRequestReason?: string | null; singleSourceReason: string | null;
  attachments: Array<{ name: string; contentType: string; size: number; sha256: string }>; projectId: number | null; projectStage: string | null; createdAt: string; submittedAt: string | null; decidedAt: string | null;
  items: Item[]; approvals: Step[];
}
interface BudgetLine { id: number; code: string; name: string; allocatedFen: number; frozenFen: number; spentFen: number; availableFen: number }
interface Category { code: string; nameZh: string; nameEn: string; kind: string; frameworkAgreement: boolean }

export const go = (path: string) => {
  history.pushState({}, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
};
const orgName = (r: { orgNameZh: string; orgNameEn: string }) => (locale() === 'en' ? r.orgNameEn : r.orgNameZh);
const stepName = (s: Step) => (locale() === 'en' ? s.nameEn : s.nameZh);

export function requisitionsView(): HTMLElement {
  return h(
    'section',
    {},
    h('h1', {}, t('workflow.req.mine')),
    hasRole('purchaser') ? h('p', {}, h('a', { href: '/requisitions/new', 'data-link': '', class: 'button', 'data-testid': 'req-new' }, t('workflow.req.new'))) : null,
    pagedTable<Requisition>({
      endpoint: '/api/requisitions',
      testId: 'requisitions',
      columns: [
        { key: 'workflow.req.ref', cell: (r) => h('a', { href: `/requisitions/${r.id}`, 'data-link': '' }, r.ref) },
        { key: 'workflow.req.title', cell: (r) => h('span', {}, r.title, r.splitSuspected ? h('span', { class: 'wf-badge wf-split' }, t('workflow.req.split')) : null) },
        ...(hasRole('operator', 'finance', 'supervisor', 'admin') ? [{ key: 'workflow.req.org', cell: orgName }] : []),
        { key: 'workflow.req.total', cell: (r) => formatFen(r.totalFen), numeric: true },
        { key: 'workflow.req.method', cell: (r) => (r.method ? t(`workflow.method.${r.method}`) : '') },
        { key: 'workflow.req.status', cell: (r) => h('span', {}, statusBadge('workflow.status', r.status), r.projectStage ? h('span', { class: 'muted' }, ' · ', t(`workflow.stage.${r.projectStage}`)) : null) },
      ],
    }),
  );
}

/** The form, for a new requisition or to change a draft or returned one. */
export function requisitionFormView(params: Record<string, string>): HTMLElement {
  const root = h('section', { class: 'wf-form', 'data-testid': 'req-form' }, h('p', { class: 'muted' }, '…'));
  void (async () => {
    const [lines, cats, existing] = await Promise.all([
      api<{ items: BudgetLine[] }>('GET', '/api/budget-lines?pageSize=200'),
      api<{ items: Category[] }>('GET', '/api/catalogue'),
      params.id ? api<Requisition>('GET', `/api/requisitions/${params.id}`) : Promise.resolve(null),
    ]);
    // Items name leaf categories only (a parent such as A02 groups its children).
    const leafCats = cats.items.filter((c) => !cats.items.some((x) => x !== c && x.code.startsWith(c.code)));
    const catName = (c: Category) => `${c.code} ${locale() === 'en' ? c.nameEn : c.nameZh}`;
    const title = h('input', { name: 'title', required: true, value: existing?.title ?? '', 'data-testid': 'req-title' });
    const line = h('select', { name: 'budgetLine', 'data-testid': 'req-line' }, lines.items.map((l) => h('option', { value: String(l.id), selected: existing?.budgetLineId === l.id }, `${l.code} ${l.name}`)));
    const neededBy = h('input', { type: 'date', required: true, value: existing?.neededBy ?? new Date(Date.now() + 60 * 86400_000).toISOString().slice(0, 10), 'data-testid': 'req-needed-by' });
    const justification = h('textarea', { rows: 3, required: true, 'data-testid': 'req-justification' }, existing?.justification ?? '');
    const singleSource = h('textarea', { rows: 2, 'data-testid': 'req-single-source' }, existing?.singleSourceReason ?? '');
    // Invitational tender or competitive consultation, asked for with a reason (judged in approval).
    const requestedMethod = h(
      'select',
      { 'data-testid': 'req-requested-method' },
      h('option', { value: '' }, t('workflow.req.methodByTable')),
      ['invitational_tender', 'competitive_consultation'].map((m) => h('option', { value: m, selected: existing?.requestedMethod === m }, t(`workflow.method.${m}`))),
    ) as HTMLSelectElement;
    const methodReason = h('textarea', { rows: 2, 'data-testid': 'req-method-reason' }, existing?.methodRequestReason ?? '');
    const files = h('input', { type: 'file', multiple: true, accept: '.pdf,.png,.jpg,.jpeg,.txt,.doc,.docx,.xls,.xlsx,.zip', 'data-testid': 'req-files' }) as HTMLInputElement;
    const kept = h('ul', { 'data-testid': 'req-attachment-list' }, (existing?.attachments ?? []).map((a) => attachmentItem(existing!.id, a, true)));
    const availability = h('div', { class: 'wf-availability', 'data-testid': 'req-availability', 'aria-live': 'polite' });
    const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'req-error' });
    const tbody = h('tbody', {});
    const rows: Array<{ tr: HTMLElement; read: () => Item | null; amount: () => number }> = [];
    let current: BudgetLine | undefined;

    const paintAvailability = () => {
      if (!current) return;
      const total = rows.reduce((s, r) => s + r.amount(), 0);
      const short = total > current.availableFen;
      availability.className = `wf-availability${short ? ' wf-short' : ''}`;
      availability.dataset.availableFen = String(current.availableFen);
      mount(
        availability,
        h('div', {}, t('workflow.req.available', { available: formatFen(current.availableFen), allocated: formatFen(current.allocatedFen), frozen: formatFen(current.frozenFen), spent: formatFen(current.spentFen) })),
        h('div', { 'data-testid': 'req-after' }, short ? t('workflow.req.insufficient', { total: formatFen(total), available: formatFen(current.availableFen) }) : t('workflow.req.afterThis', { total: formatFen(total), rest: formatFen(current.availableFen - total) })),
      );
    };
    // Live: the line is re-read when chosen and every 15 s while the form is open.
    const refreshLine = async () => {
      current = await api<BudgetLine>('GET', `/api/budget-lines/${line.value}`);
      paintAvailability();
    };
    line.addEventListener('change', () => void refreshLine());
    const timer = setInterval(() => (root.isConnected ? void refreshLine().catch(() => undefined) : clearInterval(timer)), 15_000);

    const addRow = (it?: Item) => {
      const cat = h('select', { 'aria-label': t('workflow.req.item.category'), 'data-testid': 'item-category' }, leafCats.map((c) => h('option', { value: c.code, selected: it?.categoryCode === c.code }, catName(c))));
      const name = h('input', { value: it?.name ?? '', 'aria-label': t('workflow.req.item.name'), 'data-testid': 'item-name' });
      const spec = h('input', { value: it?.specification ?? '', 'aria-label': t('workflow.req.item.spec'), 'data-testid': 'item-spec' });
      const qty = h('input', { type: 'number', min: '1', step: '1', value: String(it?.quantity ?? 1), 'aria-label': t('workflow.req.item.qty'), 'data-testid': 'item-qty' });
      const unit = h('input', { value: it?.unit ?? '台', size: 3, 'aria-label': t('workflow.req.item.unit'), 'data-testid': 'item-unit' });
      const price = h('input', { inputmode: 'decimal', value: it ? (it.unitPriceFen / 100).toFixed(2) : '', 'aria-label': t('workflow.req.item.price'), 'data-testid': 'item-price' });
      const amountCell = h('td', { class: 'num' });
      const amount = () => {
        const p = yuanToFen(price.value);
        const q = Number(qty.value);
        return p !== null && Number.isInteger(q) && q > 0 ? p * q : 0;
      };
      const tr = h('tr', {}, h('td', {}, cat), h('td', {}, name), h('td', {}, spec), h('td', {}, qty), h('td', {}, unit), h('td', {}, price), amountCell);
      const row = {
        tr,
        amount,
        read: (): Item | null => {
          const p = yuanToFen(price.value);
          if (p === null || !name.value.trim() || !spec.value.trim()) return null;
          return { categoryCode: cat.value, name: name.value.trim(), specification: spec.value.trim(), quantity: Number(qty.value), unit: unit.value.trim() || '项', unitPriceFen: p };
        },
      };
      const repaint = () => {
        amountCell.textContent = formatFen(amount());
        paintAvailability();
      };
      for (const el of [qty, price]) el.addEventListener('input', repaint);
      tr.appendChild(h('td', {}, h('button', { type: 'button', onclick: () => { if (rows.length > 1) { rows.splice(rows.indexOf(row), 1); tr.remove(); paintAvailability(); } } }, t('workflow.req.removeItem'))));
      rows.push(row);
      tbody.appendChild(tr);
      repaint();
    };
    (existing?.items.length ? existing.items : [undefined]).forEach((it) => addRow(it));

    const save = async (submit: boolean) => {
      error.textContent = '';
      const items = rows.map((r) => r.read());
      if (items.some((i) => !i)) {
        error.textContent = errorText(new Error(t('workflow.req.items')));
        return;
      }
      const body = {
        title: title.value.trim(),
        budgetLineId: Number(line.value),
        neededBy: neededBy.value,
        justification: justification.value.trim(),
        items,
        singleSourceReason: singleSource.value.trim() || null,
        requestedMethod: requestedMethod.value || null,
        methodRequestReason: requestedMethod.value ? methodReason.value.trim() || null : null,
      };
      try {
        // Saved as a draft first, the files attached, then submitted: attachments belong to the submission.
        const r = existing ? await api<Requisition>('PUT', `/api/requisitions/${existing.id}`, body) : await api<Requisition>('POST', '/api/requisitions', body);
        for (const f of Array.from(files.files ?? [])) {
          await api('POST', `/api/requisitions/${r.id}/attachments`, { name: f.name, contentType: f.type || 'application/octet-stream', contentBase64: await toBase64(f) });
        }
        if (submit) await api('POST', `/api/requisitions/${r.id}/submit`);
        go(`/requisitions/${r.id}`);
      } catch (e) {
        error.textContent = errorText(e);
        void refreshLine();
      }
    };
    mount(
      root,
      h('h1', {}, existing ? `${t('workflow.req.edit')} · ${existing.ref}` : t('workflow.req.new')),
      h('label', {}, t('workflow.req.title'), title),
      h('div', { class: 'wf-grid' }, h('label', {}, t('workflow.req.budgetLine'), line), h('label', {}, t('workflow.req.neededBy'), neededBy)),
      availability,
      h(
        'fieldset',
        {},
        h('legend', {}, t('workflow.req.items')),
        h('div', { class: 'table-wrap' }, h('table', { class: 'wf-items' }, h('thead', {}, h('tr', {}, ['workflow.req.item.category', 'workflow.req.item.name', 'workflow.req.item.spec', 'workflow.req.item.qty', 'workflow.req.item.unit', 'workflow.req.item.price', 'workflow.req.item.amount'].map((k) => h('th', {}, t(k))), h('th', {}))), tbody)),
        h('button', { type: 'button', onclick: () => addRow(), 'data-testid': 'item-add' }, t('workflow.req.addItem')),
      ),
      h('label', {}, t('workflow.req.justification'), justification),
      h('label', {}, t('workflow.req.singleSource'), singleSource),
      h('div', { class: 'wf-grid' }, h('label', {}, t('workflow.req.requestedMethod'), requestedMethod), h('label', {}, t('workflow.req.methodReason'), methodReason)),
      h('label', {}, t('workflow.req.attachments'), kept, files),
      h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: () => void save(false), 'data-testid': 'req-save' }, t('workflow.req.saveDraft')), h('button', { type: 'button', onclick: () => void save(true), 'data-testid': 'req-submit' }, t('workflow.req.submit'))),
      error,
    );
    await refreshLine();
  })().catch((e) => mount(root, h('p', { class: 'error' }, errorText(e))));
  return root;
}

/** A file's bytes as base64 (chunked: no giant argument lists). */
async function toBase64(f: File): Promise<string> {
  const bytes = new Uint8Array(await f.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function attachmentItem(reqId: number, a: Requisition['attachments'][number], removable: boolean): HTMLElement {
  const li = h('li', {}, h('a', { href: `/api/requisitions/${reqId}/attachments/${a.sha256}`, download: a.name }, a.name), h('span', { class: 'muted' }, ` ${Math.ceil(a.size / 1024)} KB `));
  if (removable) li.appendChild(actionButton(t('workflow.req.removeItem'), 'attachment-remove', async () => { await api('DELETE', `/api/requisitions/${reqId}/attachments/${a.sha256}`); li.remove(); }));
  return li;
}

export function timeline(r: Requisition): HTMLElement {
  const entries: HTMLElement[] = [h('li', { class: 'wf-done' }, `${when(r.createdAt)} · ${t('workflow.status.draft')}`)];
  if (r.submittedAt) entries.push(h('li', { class: 'wf-done' }, `${when(r.submittedAt)} · ${t('workflow.status.submitted')} · ${t('workflow.req.frozen', { amount: formatFen(r.totalFen) })}`));
  for (const s of r.approvals) {
    const done = !['pending', 'waiting'].includes(s.status);
    entries.push(
      h(
        'li',
        { class: done ? 'wf-done' : s.status === 'pending' ? 'wf-now' : '', 'data-step-status': s.status },
        h('strong', {}, stepName(s)),
        ' ',
        statusBadge('workflow.step', s.status),
        s.overdueAt ? h('span', { class: 'wf-badge wf-overdue' }, t('workflow.step.overdue')) : null,
        s.decidedAt ? ` ${when(s.decidedAt)} ${s.decidedBy ?? ''}` : s.dueAt ? ` ${t('workflow.step.due', { time: when(s.dueAt) })}` : '',
        !s.decidedAt && s.dueAt ? provisionalMark(s.dueProvisional) : null,
        s.comment ? h('div', { class: 'muted' }, s.comment) : null,
      ),
    );
  }
  if (r.projectId) entries.push(h('li', { class: 'wf-now' }, h('a', { href: `/projects/${r.projectId}`, 'data-link': '' }, t('workflow.req.project', { ref: r.ref.replace('REQ', 'PRJ'), stage: t(`workflow.stage.${r.projectStage}`) }))));
  return h('ol', { class: 'wf-timeline', 'data-testid': 'req-timeline' }, entries);
}

export function requisitionView(params: Record<string, string>): HTMLElement {
  const root = h('section', { 'data-testid': 'req-detail' }, h('p', { class: 'muted' }, '…'));
  const load = newestOnly(async (stale) => {
    const r = await api<Requisition>('GET', `/api/requisitions/${params.id}`);
    if (stale()) return;
    const mine = hasRole('purchaser') && session.user;
    const reason = h('input', { placeholder: t('workflow.req.cancelReason'), 'aria-label': t('workflow.req.cancelReason'), 'data-testid': 'req-cancel-reason' });
    mount(
      root,
      h('h1', {}, `${r.ref} · ${r.title}`),
      h('p', {}, statusBadge('workflow.status', r.status), r.splitSuspected ? h('span', { class: 'wf-badge wf-split', 'data-testid': 'req-split' }, t('workflow.req.split')) : null),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('workflow.req.org')), h('dd', {}, orgName(r)),
        h('dt', {}, t('workflow.req.total')), h('dd', { 'data-testid': 'req-total' }, formatFen(r.totalFen)),
        h('dt', {}, t('workflow.req.budgetLine')), h('dd', {}, r.budgetLineCode),
        h('dt', {}, t('workflow.req.method')), h('dd', { 'data-testid': 'req-method' }, r.method ? t(`workflow.method.${r.method}`) : '—'),
        r.requestedMethod ? [h('dt', {}, t('workflow.req.requestedMethod')), h('dd', { 'data-testid': 'req-requested' }, t(`workflow.method.${r.requestedMethod}`), ' · ', r.methodRequestReason ?? '')] : null,
        h('dt', {}, t('workflow.req.neededBy')), h('dd', {}, r.neededBy),
        h('dt', {}, t('workflow.req.justification')), h('dd', {}, r.justification),
        r.attachments.length ? [h('dt', {}, t('workflow.req.attachments')), h('dd', {}, h('ul', { 'data-testid': 'req-attachments' }, r.attachments.map((a) => attachmentItem(r.id, a, false))))] : null,
      ),
      h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['workflow.req.item.category', 'workflow.req.item.name', 'workflow.req.item.spec', 'workflow.req.item.qty', 'workflow.req.item.price', 'workflow.req.item.amount'].map((k) => h('th', {}, t(k))))), h('tbody', {}, r.items.map((i) => h('tr', {}, h('td', {}, i.categoryCode), h('td', {}, i.name), h('td', {}, i.specification), h('td', { class: 'num' }, String(i.quantity), ' ', i.unit), h('td', { class: 'num' }, formatFen(i.unitPriceFen)), h('td', { class: 'num' }, formatFen(i.amountFen ?? 0))))))),
      h('h2', {}, t('workflow.req.timeline')),
      timeline(r),
      mine && r.status === 'draft' ? actionButton(t('workflow.req.submit'), 'req-submit-now', async () => { await api('POST', `/api/requisitions/${r.id}/submit`); await load(); }) : null,
      mine && ['draft', 'returned'].includes(r.status) ? h('a', { href: `/requisitions/${r.id}/edit`, 'data-link': '', class: 'button', 'data-testid': 'req-edit' }, t('workflow.req.edit')) : null,
      mine && ['draft', 'submitted', 'returned'].includes(r.status) ? h('div', { class: 'wf-inline' }, reason, actionButton(t('workflow.req.cancel'), 'req-cancel', async () => { await api('POST', `/api/requisitions/${r.id}/cancel`, { reason: reason.value }); await load(); }, 'wf-danger')) : null,
    );
  });
  void load().catch((e) => mount(root, h('p', { class: 'error' }, errorText(e))));
  // Decisions on this requisition arrive live on the purchaser's own channel.
  const off = live.onMessage((m: { type?: string; requisitionId?: number }) => {
    if (!root.isConnected) return off(); // the page was left (views mount synchronously)
    if (m.type === 'requisition.updated' && String(m.requisitionId) === params.id) void load().catch(() => undefined);
  });
  return root;
}
