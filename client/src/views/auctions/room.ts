// One competition: the bidding room for a participating supplier (countdown on server time,
// own bid and rank, best price or ladder as the mode allows), the live monitor for the unit
// and operators (with suspend/resume), the read-only supervision view, and the result.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, formatFen, formatTime, type MessageKey } from '../../i18n';
import { live } from '../../main';
import { session, hasRole } from '../../session';
import { field, input, select, errorLine, showError } from '../suppliers/ui';
import { formatRemaining, yuanToFen } from './money';
import { deviceId } from '../../device';

// Several views of the same competition (e.g. after a language switch) share one subscription.
const subscribers = new Map<string, number>();
function watch(channel: string): () => void {
  subscribers.set(channel, (subscribers.get(channel) ?? 0) + 1);
  live.subscribe(channel); // (re)subscribing sends the full current state
  return () => {
    const n = (subscribers.get(channel) ?? 1) - 1;
    subscribers.set(channel, n);
    if (n <= 0) live.unsubscribe(channel);
  };
}

interface LadderRow {
  rank: number;
  label: string;
  amount: number;
  at: string;
  supplierName?: string;
}

interface State {
  auctionId: number;
  status: string;
  seq: number;
  endsAt: string | null;
  startsAt: string;
  serverTime: string;
  remainingMs: number | null;
  reason: string | null;
  visibility: string;
  ceilingFen: number;
  participants: number;
  bidCount: number;
  best?: number | null;
  ladder?: LadderRow[];
  you?: { label: string; lastBid: number | null; rank: number | null; maxBid: number } | null;
  result?: { winnerLabel: string; winnerName: string; priceFen: number; savingsFen: number } | null;
}

function joinForm(a: { id: number; categoryCode: string }, done: () => void): HTMLElement {
  const err = errorLine();
  const choice = select('auction-brand', []);
  void api<{ brands: Array<{ categoryCode: string; brand: string; model: string }> }>('GET', `/api/suppliers/${session.user!.supplierId}`).then((s) => {
    for (const b of s.brands.filter((x) => x.categoryCode === a.categoryCode)) choice.append(h('option', { value: JSON.stringify([b.brand, b.model]) }, `${b.brand} ${b.model}`));
  });
  const onsubmit = async (e: Event) => {
    e.preventDefault();
    try {
      const [brand, model] = JSON.parse(choice.value || '["",""]');
      await api('POST', `/api/auctions/${a.id}/join`, { brand, model, deviceId: deviceId() });
      done();
    } catch (x) {
      showError(err, x);
    }
  };
  return h('form', { class: 'card form', onsubmit, 'data-testid': 'auction-join' }, field(t('auctions.join.brand'), choice), err, h('button', { type: 'submit', 'data-testid': 'auction-join-submit' }, t('auctions.join')));
}

function ladderTable(rows: LadderRow[], mine: string | null, names: boolean): HTMLElement {
  return h(
    'table',
    { 'data-testid': 'auction-ladder' },
    h('thead', {}, h('tr', {}, h('th', {}, t('auctions.ladder.rank')), h('th', {}, t('auctions.ladder.bidder')), h('th', { class: 'num' }, t('auctions.ladder.amount')), h('th', {}, t('auctions.ladder.time')))),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          { class: r.label === mine ? 'mine' : '' },
          h('td', {}, String(r.rank)),
          h('td', {}, t('auctions.supplierLabel', { label: r.label }) + (names && r.supplierName ? ` · ${r.supplierName}` : '') + (r.label === mine ? t('auctions.you') : '')),
          h('td', { class: 'num' }, formatFen(r.amount)),
          h('td', {}, formatTime(r.at)),
        ),
      ),
    ),
  );
}

export function auctionRoomView(params: Record<string, string>): HTMLElement {
  const id = Number(params.id);
  const root = h('section', { class: 'auction-room', 'data-testid': 'auction-room' });
  const head = h('div', {});
  const clock = h('p', { class: 'countdown', 'data-testid': 'auction-countdown' });
  const board = h('div', { 'data-testid': 'auction-board' });
  const feedback = h('p', { role: 'status', 'data-testid': 'auction-bid-feedback' });
  const actions = h('div', {});
  const resultSlot = h('div', { 'data-testid': 'auction-result-slot' });
  let state: State | null = null;
  let offsetMs = session.serverOffsetMs;
  const isSupplier = hasRole('supplier') && !!session.user?.supplierId;
  const isSupervisor = hasRole('supervisor', 'admin');
  const channel = `auction:${id}`;
  let release: (() => void) | null = null;

  const amount = input('auction-amount', { inputmode: 'decimal', autocomplete: 'off' });
  const placeBid = (e: Event) => {
    e.preventDefault();
    const fen = yuanToFen(amount.value);
    if (fen === null) return void (feedback.textContent = t('auctions.invalidAmount'));
    const clientBidId = crypto.randomUUID();
    feedback.dataset.pending = clientBidId;
    if (!live.send({ type: 'bid', auctionId: id, amount: fen, clientBidId, deviceId: deviceId() })) feedback.textContent = t('ws.offline');
  };
  const bidForm = h('form', { class: 'bid', onsubmit: placeBid }, field(t('auctions.amount'), amount), h('button', { type: 'submit', 'data-testid': 'auction-place-bid' }, t('auctions.placeBid')));

  const paintClock = () => {
    if (!state) return;
    const now = Date.now() + offsetMs;
    clock.dataset.status = state.status;
    if (state.status === 'running' && state.endsAt) clock.textContent = t('auctions.countdown', { time: formatRemaining(Date.parse(state.endsAt) - now) });
    else if (state.status === 'announced') clock.textContent = t('auctions.startsIn', { time: formatRemaining(Date.parse(state.startsAt) - now) });
    else if (state.status === 'suspended') clock.textContent = t('auctions.suspendedFor', { time: formatRemaining(state.remainingMs ?? 0), reason: state.reason ?? '' });
    else if (state.status === 'failed') clock.textContent = t('auctions.failedReason', { reason: state.reason ?? '' });
    else clock.textContent = t('auctions.ended');
  };

  const paint = () => {
    if (!state) return;
    const s = state;
    const facts: Array<[string, string, string]> = [['auction-status', t('auctions.col.status'), t(`auctions.status.${s.status}` as MessageKey)]];
    if (s.best !== undefined) facts.push(['auction-best', t('auctions.best'), s.best === null ? '—' : formatFen(s.best)]);
    if (s.you) {
      facts.push(['auction-my-bid', t('auctions.myBid'), s.you.lastBid === null ? t('auctions.noBid') : formatFen(s.you.lastBid)]);
      facts.push(['auction-my-rank', t('auctions.myRank'), s.you.rank === null ? '—' : t('auctions.rankValue', { rank: s.you.rank })]);
      if (s.status === 'running') facts.push(['auction-max-bid', t('auctions.maxBid'), formatFen(s.you.maxBid)]);
    }
    mount(
      board,
      h('dl', { class: 'facts' }, facts.map(([tid, k, v]) => [h('dt', {}, k), h('dd', { 'data-testid': tid }, v)])),
      h('p', { class: 'muted', 'data-testid': 'auction-activity' }, t('auctions.participants', { n: s.participants, bids: s.bidCount }), ' · ', t('auctions.ceiling', { amount: formatFen(s.ceilingFen) })),
      s.ladder ? ladderTable(s.ladder, s.you?.label ?? null, isSupervisor) : null,
      isSupplier && s.you && s.status === 'running' ? bidForm : null,
    );
    board.dataset.seq = String(s.seq);
    paintClock();
    if (s.status === 'closed' || s.status === 'failed') void showResult();
  };

  const showResult = async () => {
    if (resultSlot.dataset.loaded) return;
    resultSlot.dataset.loaded = '1';
    try {
      const r = await api<any>('GET', `/api/auctions/${id}/result`);
      mount(
        resultSlot,
        h('h2', {}, t('auctions.result')),
        r.winner ? h('p', { 'data-testid': 'auction-result' }, t('auctions.result.winner', { name: r.winner.supplierName, label: r.winner.label, price: formatFen(r.priceFen), savings: formatFen(r.savingsFen) })) : h('p', { 'data-testid': 'auction-result' }, t('auctions.failedReason', { reason: r.reason ?? '' })),
        r.bids.length ? h('h3', {}, t('auctions.result.bids')) : null,
        r.bids.length ? ladderTable(r.bids.map((b: any) => ({ rank: b.seq, label: b.label, amount: b.amountFen, at: b.at, supplierName: b.supplierName })), null, isSupervisor) : null,
      );
    } catch {
      delete resultSlot.dataset.loaded;
    }
  };

  const off = live.onMessage((m) => {
    if (!root.isConnected && root.dataset.mounted) return cleanup();
    if (m.auctionId !== id) return;
    if (m.type === 'auction.state') {
      if (state && m.seq < state.seq && m.status === state.status) return; // never step back
      state = m;
      offsetMs = Date.parse(m.serverTime) - Date.now();
      paint();
    } else if ((m.type === 'bid.accepted' || m.type === 'bid.rejected') && m.clientBidId === feedback.dataset.pending) {
      feedback.className = m.type === 'bid.accepted' ? 'ok' : 'error';
      feedback.dataset.result = m.type;
      feedback.textContent =
        m.type === 'bid.accepted'
          ? t('auctions.accepted', { seq: m.seq, amount: formatFen(m.amount), rank: m.rank })
          : t('auctions.rejected', { message: t(`auctions.code.${m.code}` as MessageKey) === `auctions.code.${m.code}` ? m.message : t(`auctions.code.${m.code}` as MessageKey), code: m.code });
      if (m.type === 'bid.accepted') amount.value = '';
    }
  });
  const timer = setInterval(() => {
    if (!root.isConnected && root.dataset.mounted) return cleanup();
    root.dataset.mounted = '1';
    paintClock();
  }, 250);
  function cleanup() {
    clearInterval(timer);
    off();
    release?.();
    release = null;
  }

  const load = async () => {
    const a = await api<any>('GET', `/api/auctions/${id}`);
    const manage = hasRole('operator', 'admin');
    const reason = input('auction-reason', { maxlength: 500 });
    const act = (verb: 'suspend' | 'resume') => async () => {
      const err = actions.querySelector('.error') as HTMLElement;
      try {
        await api('POST', `/api/auctions/${id}/${verb}`, { reason: reason.value });
        reason.value = '';
      } catch (x) {
        showError(err, x);
      }
    };
    mount(
      head,
      h('p', {}, h('a', { href: '/auctions', 'data-link': '' }, t('auctions.back'))),
      h('h1', {}, `${a.code} · ${a.title}`),
      h('p', { class: 'muted' }, `${a.lotDescription} · ${a.quantity} ${a.unit} · ${a.categoryCode} · ${t(`auctions.mode.${a.visibility}` as MessageKey)}`),
      isSupervisor ? h('p', { class: 'notice' }, t('auctions.readOnly')) : !isSupplier ? h('p', { class: 'notice' }, t('auctions.monitor')) : null,
      a.myParticipation ? h('p', { 'data-testid': 'auction-joined' }, t('auctions.joined', a.myParticipation)) : null,
    );
    if (isSupplier && !a.joined && a.status === 'announced') mount(actions, joinForm(a, () => void load()));
    else if (manage) mount(actions, h('div', { class: 'card' }, field(t('auctions.reason'), reason), h('button', { 'data-testid': 'auction-suspend', onclick: act('suspend') }, t('auctions.suspend')), ' ', h('button', { 'data-testid': 'auction-resume', onclick: act('resume') }, t('auctions.resume')), errorLine()));
    else mount(actions);
    if ((!isSupplier || a.joined) && !release) release = watch(channel);
    if (a.status === 'closed' || a.status === 'failed') void showResult();
  };
  void load().catch((e) => mount(head, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message }))));
  mount(root, head, clock, actions, board, feedback, resultSlot);
  return root;
}
