// One supplier for the procurement centre and supervisors: qualifications, contacts, review
// history and decisions, credit record, blacklist.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, formatTime, formatFen, type MessageKey } from '../../i18n';
import { hasRole } from '../../session';
import { field, input, select, showError, errorLine } from './ui';
import { categoryNamer } from './catalogue-names';

export interface SupplierDetail {
  id: number;
  name: string;
  creditCode: string;
  legalRep: string;
  size: string;
  status: string;
  address: string;
  region: string;
  registeredCapitalWan: number | null;
  reviewReason: string | null;
  categories: string[];
  brands: Array<{ categoryCode: string; brand: string; model: string }>;
  contacts: Array<{ name: string; position: string; phone: string; email: string }>;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  reviews: Array<{ id: number; decision: string; reason: string | null; decidedAt: string; changeRequestId: number | null }>;
  creditRecords: Array<{ id: number; kind: string; description: string; source: string; occurredOn: string }>;
  blacklist: Array<{ id: number; reason: string; source: string; startsAt: string; endsAt: string; liftedAt: string | null; liftReason: string | null; active: boolean }>;
  blacklisted: boolean;
  pendingChange: { id: number; changes: { name: string; categories: string[]; brands: Array<{ brand: string; model: string }> }; submittedAt: string } | null;
}

const CREDIT_KINDS = ['false_documents', 'collusion', 'breach_of_contract', 'late_delivery', 'quality', 'other'];

/** Registered capital is kept in units of 10,000 yuan; shown as money (fen → yuan). */
export function capitalText(wan: number | null): string {
  return wan == null ? t('suppliers.capital.unknown') : formatFen(wan * 1_000_000);
}

export function qualificationFacts(s: SupplierDetail, name: (code: string) => string = (c) => c): HTMLElement {
  return h(
    'dl',
    { class: 'facts', 'data-testid': 'supplier-facts' },
    h('dt', {}, t('suppliers.col.name')), h('dd', { 'data-testid': 'supplier-name' }, s.name),
    h('dt', {}, t('suppliers.col.creditCode')), h('dd', {}, s.creditCode),
    h('dt', {}, t('suppliers.legalRep')), h('dd', {}, s.legalRep),
    h('dt', {}, t('suppliers.col.size')), h('dd', {}, t(`size.${s.size}` as MessageKey)),
    h('dt', {}, t('suppliers.capital')), h('dd', { 'data-testid': 'supplier-capital' }, capitalText(s.registeredCapitalWan)),
    h('dt', {}, t('suppliers.address')), h('dd', {}, s.address),
    h('dt', {}, t('suppliers.categories')), h('dd', { 'data-testid': 'supplier-categories' }, s.categories.map(name).join(t('suppliers.listSep')) || t('suppliers.none')),
    h('dt', {}, t('suppliers.brands')), h('dd', {}, s.brands.map((b) => `${name(b.categoryCode)} ${b.brand} ${b.model}`).join('; ') || t('suppliers.none')),
    h('dt', {}, t('suppliers.col.status')), h('dd', { 'data-testid': 'supplier-status', 'data-status': s.status }, t(`supplier.status.${s.status}` as MessageKey)),
    s.reviewReason ? [h('dt', {}, t('suppliers.reviewReason')), h('dd', { 'data-testid': 'review-reason' }, s.reviewReason)] : null,
  );
}

function contactsTable(s: SupplierDetail): HTMLElement {
  const rows = s.contacts.length ? s.contacts : [{ name: s.contactName, position: '', phone: s.contactPhone, email: s.contactEmail }];
  return h('div', { class: 'table-wrap' }, h('table', {}, h('tbody', {}, rows.map((c) => h('tr', {}, h('td', {}, c.name), h('td', {}, c.position), h('td', {}, c.phone), h('td', {}, c.email))))));
}

export function supplierDetailView(params: Record<string, string>): HTMLElement {
  const root = h('section', { 'data-testid': 'supplier-detail' });
  const id = Number(params.id);
  /** The confirmation of the last action, shown above the page after it reloads. */
  let done = '';
  const load = async () => {
    const [s, name] = await Promise.all([api<SupplierDetail>('GET', `/api/suppliers/${id}`), categoryNamer()]);
    const err = errorLine();
    const act = async (fn: () => Promise<unknown>, line: HTMLElement = err) => {
      try {
        done = '';
        await fn();
        await load();
      } catch (e) {
        showError(line, e);
      }
    };
    const reason = h('textarea', { name: 'review-reason', 'data-testid': 'review-reason', rows: 3, maxlength: 500 });
    reason.addEventListener('input', () => { reason.removeAttribute('aria-invalid'); reviewErr.textContent = ''; });
    const reviewErr = errorLine();
    /** Reject and "ask for more" need a reason: asked for here, before anything is sent. */
    const needsReason = (box: HTMLTextAreaElement | HTMLInputElement, line: HTMLElement): boolean => {
      if (box.value.trim()) return false;
      line.textContent = t('suppliers.review.reasonRequired');
      box.setAttribute('aria-invalid', 'true');
      box.focus();
      return true;
    };
    const decide = (d: 'approve' | 'request_more' | 'reject') => () => {
      if (d !== 'approve' && needsReason(reason, reviewErr)) return;
      void act(async () => {
        await api('POST', `/api/suppliers/${id}/review`, { decision: d, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) });
        done = t(`suppliers.review.done.${d}` as MessageKey);
      }, reviewErr);
    };
    const reviewBox =
      hasRole('operator') && s.status === 'pending'
        ? h(
            'div',
            { class: 'card wide', 'data-testid': 'review-actions' },
            h('h2', {}, t('suppliers.review.title')),
            field(t('suppliers.review.reason'), reason),
            reviewErr,
            h(
              'div',
              { class: 'toolbar' },
              (['approve', 'request_more', 'reject'] as const).map((d) => h('button', { type: 'button', 'data-testid': `review-${d}`, onclick: decide(d) }, t(`suppliers.review.${d}`))),
            ),
          )
        : null;
    const change = s.pendingChange;
    const changeReason = input('change-reason', { placeholder: t('suppliers.review.reason'), 'aria-label': t('suppliers.review.reason') });
    const changeErr = errorLine();
    const changeBox = change
      ? h(
          'div',
          { class: 'notice', 'data-testid': 'pending-change' },
          h('h2', {}, t('suppliers.section.change')),
          h('p', {}, `${change.changes.name} · ${change.changes.categories.map(name).join(t('suppliers.listSep'))} · ${change.changes.brands.map((b) => `${b.brand} ${b.model}`).join('; ')}`),
          h('p', { class: 'muted small' }, formatTime(change.submittedAt)),
          hasRole('operator')
            ? h(
                'div',
                { class: 'toolbar' },
                changeReason,
                (['approve', 'reject'] as const).map((d) =>
                  h('button', {
                    'data-testid': `change-${d}`,
                    onclick: () => {
                      if (d === 'reject' && needsReason(changeReason, changeErr)) return;
                      void act(async () => {
                        await api('POST', `/api/suppliers/${id}/change-requests/${change.id}/review`, { decision: d, ...(changeReason.value.trim() ? { reason: changeReason.value.trim() } : {}) });
                        done = t(`suppliers.change.done.${d}` as MessageKey);
                      }, changeErr);
                    },
                  }, t(`suppliers.change.${d}`)),
                ),
                changeErr,
              )
            : null,
        )
      : null;
    const staffWrites = hasRole('operator', 'supervisor');
    const kind = select('credit-kind', CREDIT_KINDS.map((k) => [k, t(`suppliers.credit.kind.${k}` as MessageKey)]));
    const desc = input('credit-description');
    const source = input('credit-source');
    const date = input('credit-date', { type: 'date' });
    const creditForm = staffWrites
      ? h(
          'form',
          { class: 'toolbar', onsubmit: (e: Event) => { e.preventDefault(); void act(async () => { await api('POST', `/api/suppliers/${id}/credit-records`, { kind: kind.value, description: desc.value, source: source.value, occurredOn: date.value }); done = t('suppliers.credit.done'); }); } },
          field(t('suppliers.credit.kind'), kind), field(t('suppliers.credit.description'), desc), field(t('suppliers.credit.source'), source), field(t('suppliers.credit.date'), date),
          h('button', { type: 'submit' }, t('suppliers.credit.add')),
        )
      : null;
    const blReason = input('blacklist-reason');
    const blSource = input('blacklist-source');
    const blStarts = input('blacklist-starts', { type: 'date' });
    const blEnds = input('blacklist-ends', { type: 'date' });
    const blForm = staffWrites
      ? h(
          'form',
          {
            class: 'toolbar',
            onsubmit: (e: Event) => {
              e.preventDefault();
              void act(async () => { await api('POST', `/api/suppliers/${id}/blacklist`, { reason: blReason.value, source: blSource.value, startsAt: new Date(blStarts.value + 'T00:00:00+08:00').toISOString(), endsAt: new Date(blEnds.value + 'T00:00:00+08:00').toISOString() }); done = t('suppliers.blacklist.done'); });
            },
          },
          field(t('suppliers.blacklist.reason'), blReason), field(t('suppliers.credit.source'), blSource), field(t('suppliers.blacklist.starts'), blStarts), field(t('suppliers.blacklist.ends'), blEnds),
          h('button', { type: 'submit' }, t('suppliers.blacklist.add')),
        )
      : null;
    mount(
      root,
      h('p', {}, h('a', { href: '/suppliers', 'data-link': '' }, t('suppliers.back'))),
      h('h1', {}, s.name),
      s.blacklisted ? h('p', { class: 'error', 'data-testid': 'blacklisted' }, t('suppliers.blacklisted')) : null,
      done ? h('p', { class: 'ok', role: 'status', 'data-testid': 'action-done' }, done) : null,
      err,
      h('h2', {}, t('suppliers.section.qualifications')),
      qualificationFacts(s, name),
      reviewBox,
      changeBox,
      h('h2', {}, t('suppliers.section.contacts')),
      contactsTable(s),
      h('h2', {}, t('suppliers.section.reviews')),
      s.reviews.length
        ? h('ul', { 'data-testid': 'review-history' }, s.reviews.map((r) => h('li', {}, `${formatTime(r.decidedAt)} · ${t(`suppliers.review.${r.decision}` as MessageKey)}${r.reason ? ' · ' + r.reason : ''}`)))
        : h('p', { class: 'muted', 'data-testid': 'review-history-empty' }, t('suppliers.reviews.none')),
      h('h2', {}, t('suppliers.section.credit')),
      s.creditRecords.length
        ? h('ul', { 'data-testid': 'credit-records' }, s.creditRecords.map((c) => h('li', {}, `${c.occurredOn} · ${t(`suppliers.credit.kind.${c.kind}` as MessageKey)} · ${c.description} · ${c.source}`)))
        : h('p', { class: 'muted' }, t('suppliers.none')),
      creditForm,
      h('h2', {}, t('suppliers.section.blacklist')),
      s.blacklist.length
        ? h(
            'ul',
            { 'data-testid': 'blacklist' },
            s.blacklist.map((b) => {
              const lift = input(`lift-reason-${b.id}`, { placeholder: t('suppliers.blacklist.reason') });
              return h(
                'li',
                {},
                `${formatTime(b.startsAt)} – ${formatTime(b.endsAt)} · ${b.reason} · ${b.source} · `,
                b.liftedAt ? t('suppliers.blacklist.lifted', { reason: b.liftReason ?? '' }) : b.active ? h('strong', {}, t('suppliers.blacklist.active')) : t('suppliers.blacklist.inactive'),
                staffWrites && !b.liftedAt && b.active ? h('span', { class: 'toolbar' }, lift, h('button', { onclick: () => act(async () => { await api('POST', `/api/suppliers/${id}/blacklist/${b.id}/lift`, { reason: lift.value }); done = t('suppliers.blacklist.liftDone'); }) }, t('suppliers.blacklist.lift'))) : null,
              );
            }),
          )
        : h('p', { class: 'muted' }, t('suppliers.none')),
      blForm,
    );
  };
  void load().catch((e) => mount(root, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message }))));
  return root;
}
