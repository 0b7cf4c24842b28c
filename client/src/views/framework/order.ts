// The purchasing unit's order within a framework agreement, on the project page of a
// framework_order project in its order stage: direct selection (choice and reason recorded),
// rotation, or a second competition on the live auction engine.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, formatFen } from '../../i18n';
import { actionButton, yuanToFen } from '../workflow/common';
import { table } from './agreements';

interface Options {
  agreement: { id: number; ref: string; title: string };
  modes: string[];
  entries: Array<{ supplierId: number; supplierName: string; rank: number; orderFen: number; prices: Array<{ brand: string; model: string }> }>;
  rotationNext: number | null;
  ceilingFen: number | null;
  order: { mode: string; auctionId: number | null } | null;
}

const field = (label: string, el: HTMLElement) => h('label', {}, label, el);

export function frameworkOrderPanel(projectId: number, reload: () => Promise<void>): HTMLElement {
  const root = h('div', { class: 'wf-panel', 'data-testid': 'framework-order' }, h('h2', {}, t('framework.order.title')));
  void api<Options>('GET', `/api/framework-orders/options?projectId=${projectId}`).then((o) => {
    const body: Array<HTMLElement | null> = [h('p', {}, h('a', { href: `/framework-agreements/${o.agreement.id}` }, t('framework.order.agreement', { ref: o.agreement.ref, title: o.agreement.title })))];
    if (o.order) {
      body.push(h('p', { 'data-testid': 'order-placed' }, t('framework.order.placed', { mode: t(`framework.mode.${o.order.mode}`) })));
      if (o.order.auctionId) body.push(h('a', { href: `/auctions/${o.order.auctionId}`, 'data-testid': 'order-room' }, t('framework.order.room')));
      mount(root, h('h2', {}, t('framework.order.title')), ...body);
      return;
    }
    const choice = o.entries.map((e) => h('input', { type: 'radio', name: 'fw-supplier', value: String(e.supplierId), 'aria-label': e.supplierName, 'data-testid': `order-pick-${e.rank}` }) as HTMLInputElement);
    body.push(
      table(
        'order-entries',
        ['framework.order.choose', 'framework.response.rank', 'framework.response.supplier', 'framework.entry.brand', 'framework.order.atPrices'],
        o.entries.map((e, i) => [choice[i], String(e.rank), e.supplierName, e.prices.map((p) => `${p.brand} ${p.model}`).join('；'), h('span', { class: 'amount' }, formatFen(e.orderFen))]),
        'framework.order.noEntries',
      ),
    );
    const mode = h('select', { 'data-testid': 'order-mode' }, o.modes.map((m) => h('option', { value: m }, t(`framework.mode.${m}`))));
    const reason = h('input', { 'data-testid': 'order-reason' });
    const amount = h('input', { inputmode: 'decimal', 'data-testid': 'order-amount' });
    const startsAt = h('input', { type: 'datetime-local', 'data-testid': 'order-starts' });
    const duration = h('input', { type: 'number', min: '1', value: '10', 'data-testid': 'order-duration' });
    const decrement = h('input', { inputmode: 'decimal', value: '100', 'data-testid': 'order-decrement' });
    const next = o.entries.find((e) => e.supplierId === o.rotationNext);
    const direct = h('div', { class: 'wf-inline' }, field(t('framework.order.reason'), reason), field(t('framework.order.amountYuan'), amount));
    const rotation = h('p', {}, next ? t('framework.order.rotationNext', { supplier: next.supplierName }) : '');
    const competition = h('div', {}, o.ceilingFen !== null ? h('p', {}, t('framework.order.ceiling', { amount: formatFen(o.ceilingFen) })) : null, h('div', { class: 'wf-inline' }, field(t('framework.order.startsAt'), startsAt), field(t('framework.order.duration'), duration), field(t('framework.order.decrement'), decrement)));
    const show = () => {
      direct.hidden = mode.value !== 'direct';
      rotation.hidden = mode.value !== 'rotation';
      competition.hidden = mode.value !== 'competition';
    };
    mode.addEventListener('change', show);
    show();
    body.push(
      field(t('framework.order.mode'), mode),
      direct,
      rotation,
      competition,
      actionButton(t('framework.order.place'), 'order-place', async () => {
        const m = mode.value;
        const picked = choice.find((c) => c.checked);
        const fen = amount.value.trim() ? yuanToFen(amount.value) ?? -1 : undefined;
        const r = await api<{ auctionId?: number }>('POST', '/api/framework-orders', {
          projectId,
          mode: m,
          ...(m === 'direct' ? { supplierId: picked ? Number(picked.value) : undefined, reason: reason.value.trim() || undefined, ...(fen !== undefined ? { amountFen: fen } : {}) } : {}),
          ...(m === 'competition' ? { competition: { startsAt: startsAt.value ? new Date(startsAt.value).toISOString() : '', durationSec: Number(duration.value) * 60, decrementKind: 'absolute', decrementValue: yuanToFen(decrement.value) ?? -1 } } : {}),
        });
        if (r.auctionId) {
          history.pushState({}, '', `/auctions/${r.auctionId}`);
          dispatchEvent(new PopStateEvent('popstate'));
          return;
        }
        await reload();
      }),
    );
    mount(root, h('h2', {}, t('framework.order.title')), ...body);
  }).catch((e) => mount(root, h('p', { class: 'error' }, String((e as Error).message))));
  return root;
}
