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
import { errorMessage } from '../../errors';
import { categoryNamer } from '../suppliers/catalogue-names';
import { priceChart, type Point } from './price-chart';
import './room.css';

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
  decrementKind: 'absolute' | 'percent';
  decrementValue: number;
  participants: number;
  bidCount: number;
  best?: number | null;
  ladder?: LadderRow[];
  you?: { label: string; lastBid: number | null; rank: number | null; maxBid: number } | null;
  result?: { winnerLabel: string; winnerName: string; priceFen: number; savingsFen: number } | null;
}

interface Brand {
  categoryCode: string;
  brand: string;
  model: string;
}

/** A bid this far (or more) below the reference price asks for a confirmation first. */
const FAR_BELOW_BP = 1000;

function joinForm(a: { id: number; categoryCode: string; startsAt: string }, categoryName: string, timeZone: string, done: () => void): HTMLElement {
  const err = errorLine();
  const choice = select('auction-brand', []);
  const submit = h('button', { type: 'submit', 'data-testid': 'auction-join-submit', disabled: true }, t('auctions.join'));
  const none = h('p', { class: 'notice', 'data-testid': 'auction-join-nobrand', hidden: true }, t('auctions.join.noBrand', { category: categoryName }), ' ', h('a', { href: '/my-company', 'data-link': '' }, t('auctions.join.myCompany')));
  void api<{ brands: Brand[] }>('GET', `/api/suppliers/${session.user!.supplierId}`).then((s) => {
    const mine = s.brands.filter((x) => x.categoryCode === a.categoryCode);
    for (const b of mine) choice.append(h('option', { value: JSON.stringify([b.brand, b.model]) }, `${b.brand} ${b.model}`));
    submit.disabled = !mine.length;
    none.hidden = !!mine.length;
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
  return h(
    'form',
    { class: 'card form', onsubmit, 'data-testid': 'auction-join' },
    h('h2', {}, t('auctions.join.title')),
    h('p', { 'data-testid': 'auction-join-how' }, t('auctions.join.how', { time: formatTime(a.startsAt, timeZone), category: categoryName })),
    none,
    field(t('auctions.join.brand'), choice),
    err,
    submit,
  );
}

function ladderTable(rows: LadderRow[], mine: string | null, names: boolean, timeZone: string): HTMLElement {
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
          h('td', {}, formatTime(r.at, timeZone)),
        ),
      ),
    ),
  );
}

export function auctionRoomView(params: Record<string, string>): HTMLElement {
  const id = Number(params.id);
  const timeZone = session.user?.timeZone || 'Asia/Shanghai';
  const root = h('section', { class: 'auction-room', 'data-testid': 'auction-room' });
  const head = h('div', {});
  const clock = h('p', { class: 'countdown', role: 'timer', 'data-testid': 'auction-countdown' });
  const connection = h('p', { class: 'connection', role: 'status', 'data-testid': 'auction-connection', hidden: true });
  const board = h('div', { 'data-testid': 'auction-board' });
  const feedback = h('p', { role: 'status', 'data-testid': 'auction-bid-feedback' });
  const actions = h('div', {});
  const resultSlot = h('div', { 'data-testid': 'auction-result-slot' });
  const chart = priceChart();
  chart.el.hidden = true;
  let state: State | null = null;
  const isSupplier = hasRole('supplier') && !!session.user?.supplierId;
  const isSupervisor = hasRole('supervisor', 'admin');
  const channel = `auction:${id}`;
  let release: (() => void) | null = null;
  let watching = false;
  /** The price history drawn in the chart: loaded once, then followed from live messages. */
  let history: { best: Point[] | null; own: Point[]; ceilingFen: number } | null = null;
  /** The last accepted bid of this page: its answer line follows the board's rank. */
  let accepted: { seq: number; amount: number; rank: number } | null = null;
  let online = live.status === 'online';
  let lostOnce = false;

  const amount = input('auction-amount', { inputmode: 'decimal', autocomplete: 'off' });
  const submitBtn = h('button', { type: 'submit', 'data-testid': 'auction-place-bid' }, t('auctions.placeBid'));
  const maxBtn = h('button', { type: 'button', class: 'secondary', 'data-testid': 'auction-bid-max' });
  const confirmBox = h('div', { class: 'confirm', role: 'alertdialog', 'data-testid': 'auction-confirm', hidden: true });
  const send = (fen: number) => {
    confirmBox.hidden = true;
    const clientBidId = crypto.randomUUID();
    feedback.dataset.pending = clientBidId;
    delete feedback.dataset.result;
    if (!live.send({ type: 'bid', auctionId: id, amount: fen, clientBidId, deviceId: deviceId() })) {
      feedback.className = 'error';
      feedback.dataset.result = 'offline';
      feedback.textContent = t('auctions.offlineBid');
    }
  };
  /** The fat-finger guard: far below the best price (or one's own bid, or the ceiling) asks first. */
  const guard = (fen: number) => {
    const s = state;
    if (!s) return;
    const [ref, refLabel] = s.best != null ? [s.best, t('auctions.ref.best')] : s.you?.lastBid != null ? [s.you.lastBid, t('auctions.ref.own')] : [s.ceilingFen, t('auctions.ref.ceiling')];
    const bp = Math.round(((ref - fen) * 10_000) / ref);
    if (bp < FAR_BELOW_BP) return send(fen);
    mount(
      confirmBox,
      h('p', { 'data-testid': 'auction-confirm-text' }, t('auctions.confirmFar', { amount: formatFen(fen), pct: (bp / 100).toFixed(1), ref: formatFen(ref), refLabel })),
      h('button', { type: 'button', 'data-testid': 'auction-confirm-yes', onclick: () => send(fen) }, t('auctions.confirmYes')),
      ' ',
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'auction-confirm-no', onclick: () => { confirmBox.hidden = true; amount.focus(); } }, t('auctions.confirmNo')),
    );
    confirmBox.hidden = false;
  };
  const placeBid = (e: Event) => {
    e.preventDefault();
    const fen = yuanToFen(amount.value);
    if (fen === null) {
      feedback.className = 'error';
      return void (feedback.textContent = t('auctions.invalidAmount'));
    }
    guard(fen);
  };
  maxBtn.addEventListener('click', () => {
    if (!state?.you) return;
    amount.value = (state.you.maxBid / 100).toFixed(2);
    send(state.you.maxBid);
  });
  const bidForm = h(
    'form',
    { class: 'bid card', onsubmit: placeBid, 'data-testid': 'auction-bid-form' },
    field(t('auctions.amount'), amount),
    h('div', { class: 'bid-buttons' }, submitBtn, maxBtn),
    confirmBox,
  );

  const paintConnection = () => {
    submitBtn.disabled = !online;
    maxBtn.disabled = !online;
    root.classList.toggle('offline', !online && lostOnce);
    if (online && !lostOnce) return void (connection.hidden = true);
    connection.hidden = false;
    connection.dataset.state = online ? 'restored' : 'lost';
    connection.className = `connection ${online ? 'ok' : 'error'}`;
    connection.textContent = online ? t('auctions.connection.restored') : t('auctions.connection.lost');
  };
  const offStatus = live.onStatus((st) => {
    const was = online;
    online = st === 'online';
    if (!online && was) lostOnce = true;
    if (online && !was && lostOnce) void loadHistory(); // bids missed while away
    paintConnection();
  });

  const paintClock = () => {
    if (!state) return;
    const now = Date.now() + session.serverOffsetMs;
    clock.dataset.status = state.status;
    if (state.status === 'running' && state.endsAt) clock.textContent = t('auctions.countdown', { time: formatRemaining(Date.parse(state.endsAt) - now) });
    else if (state.status === 'announced') clock.textContent = t('auctions.startsIn', { time: formatRemaining(Date.parse(state.startsAt) - now) });
    else if (state.status === 'suspended') clock.textContent = t('auctions.suspendedFor', { time: formatRemaining(state.remainingMs ?? 0), reason: state.reason ?? '' });
    else if (state.status === 'failed') clock.textContent = t('auctions.failedReason', { reason: state.reason ?? '' });
    else clock.textContent = t('auctions.ended');
  };

  const decrementText = (s: State): string => {
    if (s.decrementKind === 'absolute') return formatFen(s.decrementValue);
    const pct = `${(s.decrementValue / 100).toFixed(2).replace(/\.?0+$/, '')}%`;
    const ref = s.best ?? s.you?.lastBid ?? null;
    return ref === null ? t('auctions.decrementPct', { pct }) : t('auctions.decrementPctOf', { pct, amount: formatFen(Math.max(1, Math.ceil((ref * s.decrementValue) / 10_000))) });
  };

  const paintFeedback = () => {
    if (!accepted) return;
    // The rank said here is the board's: once a newer state is in, it is the rank now.
    const rank = state?.you && state.seq >= accepted.seq ? state.you.rank ?? accepted.rank : accepted.rank;
    feedback.className = 'ok';
    feedback.textContent = t('auctions.accepted', { seq: accepted.seq, amount: formatFen(accepted.amount), rank });
    if (state?.you?.rank && state.you.rank > 1 && state.seq >= accepted.seq) feedback.textContent += t('auctions.outbid');
  };

  // Bids can come many a second: the chart is redrawn at most five times a second.
  let chartQueued = false;
  const paintChart = () => {
    if (chartQueued) return;
    chartQueued = true;
    setTimeout(() => {
      chartQueued = false;
      drawChart();
    }, 200);
  };
  const drawChart = () => {
    if (!history || !state || !root.isConnected) return;
    chart.el.hidden = false;
    chart.set(history.best, history.own, history.ceilingFen, timeZone, Math.min(Date.now() + session.serverOffsetMs, state.endsAt && state.status === 'running' ? Date.parse(state.endsAt) : Infinity));
  };

  const loadHistory = async () => {
    if (!watching) return;
    try {
      const r = await api<{ best: Point[] | null; own: Point[]; ceilingFen: number }>('GET', `/api/auctions/${id}/history`);
      history = { best: r.best, own: r.own, ceilingFen: r.ceilingFen };
      paintChart();
    } catch {
      /* the chart waits for the next state */
    }
  };

  const paint = () => {
    if (!state) return;
    const s = state;
    const facts: Array<[string, string, string]> = [['auction-status', t('auctions.col.status'), t(`auctions.status.${s.status}` as MessageKey)]];
    if (s.best !== undefined) facts.push(['auction-best', t('auctions.best'), s.best === null ? t('auctions.noBestYet') : formatFen(s.best)]);
    facts.push(['auction-decrement', t('auctions.decrement'), decrementText(s)]);
    if (s.you) {
      facts.push(['auction-my-bid', t('auctions.myBid'), s.you.lastBid === null ? t('auctions.noBid') : formatFen(s.you.lastBid)]);
      facts.push(['auction-my-rank', t('auctions.myRank'), s.you.rank === null ? t('auctions.noRank') : t('auctions.rankValue', { rank: s.you.rank })]);
      if (s.status === 'running') facts.push(['auction-max-bid', t('auctions.maxBid'), formatFen(s.you.maxBid)]);
    }
    maxBtn.textContent = s.you ? t('auctions.bidMax', { amount: formatFen(s.you.maxBid) }) : '';
    mount(
      board,
      h('dl', { class: 'facts' }, facts.map(([tid, k, v]) => [h('dt', {}, k), h('dd', { 'data-testid': tid }, v)])),
      h('p', { class: 'muted', 'data-testid': 'auction-activity' }, t('auctions.participants', { n: s.participants, bids: s.bidCount }), ' · ', t('auctions.ceiling', { amount: formatFen(s.ceilingFen) })),
      isSupplier && s.you && s.status === 'running' ? bidForm : null,
      s.ladder ? [h('h2', {}, t('auctions.ladder')), s.ladder.length ? ladderTable(s.ladder, s.you?.label ?? null, isSupervisor, timeZone) : h('p', { class: 'muted', 'data-testid': 'auction-ladder-empty' }, t('auctions.ladder.empty'))] : null,
    );
    board.dataset.seq = String(s.seq);
    paintClock();
    paintFeedback();
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
        h('h3', {}, t('auctions.result.bids')),
        r.bids.length ? ladderTable(r.bids.map((b: any) => ({ rank: b.seq, label: b.label, amount: b.amountFen, at: b.at, supplierName: b.supplierName })), null, isSupervisor, timeZone) : h('p', { class: 'muted' }, t('auctions.result.noBids')),
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
      const before = state?.best;
      state = m;
      if (history?.best && typeof m.best === 'number' && m.best !== before) {
        const last = history.best[history.best.length - 1];
        if (!last || m.best < last.amountFen) history.best.push({ at: m.serverTime, amountFen: m.best });
      }
      paint();
      paintChart();
    } else if ((m.type === 'bid.accepted' || m.type === 'bid.rejected') && m.clientBidId === feedback.dataset.pending) {
      feedback.dataset.result = m.type;
      if (m.type === 'bid.accepted') {
        accepted = { seq: m.seq, amount: m.amount, rank: m.rank };
        amount.value = '';
        if (history && !history.own.some((p) => p.at === m.acceptedAt && p.amountFen === m.amount)) history.own.push({ at: m.acceptedAt, amountFen: m.amount });
        paintFeedback();
        paintChart();
      } else {
        accepted = null;
        feedback.className = 'error';
        // Only the localized reason: a code the room does not name falls back to the shared error table.
        const key = `auctions.code.${m.code}` as MessageKey;
        feedback.textContent = t('auctions.rejected', { message: t(key) === key ? errorMessage(t, String(m.code), m.details) : t(key) });
      }
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
    offStatus();
    chart.dispose();
    release?.();
    release = null;
  }

  const load = async () => {
    const [a, name] = await Promise.all([api<any>('GET', `/api/auctions/${id}`), categoryNamer()]);
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
    const category = name(a.categoryCode);
    const notJoined = isSupplier && !a.joined;
    mount(
      head,
      h('p', {}, h('a', { href: '/auctions', 'data-link': '' }, t('auctions.back'))),
      h('h1', {}, `${a.code} · ${a.title}`),
      h('p', { class: 'muted' }, `${a.lotDescription} · ${a.quantity} ${a.unit} · ${category} · ${t(`auctions.mode.${a.visibility}` as MessageKey)}`),
      isSupervisor ? h('p', { class: 'notice' }, t('auctions.readOnly')) : !isSupplier ? h('p', { class: 'notice' }, t('auctions.monitor')) : null,
      a.myParticipation ? h('p', { 'data-testid': 'auction-joined' }, t('auctions.joined', a.myParticipation)) : null,
      notJoined && a.status !== 'announced' ? h('p', { class: 'notice', 'data-testid': 'auction-not-joined' }, t(a.status === 'running' || a.status === 'suspended' ? 'auctions.notJoined.running' : 'auctions.notJoined.over', { time: formatTime(a.startsAt, timeZone) })) : null,
    );
    if (notJoined && a.status === 'announced') mount(actions, joinForm(a, category, timeZone, () => void load()));
    else if (manage) mount(actions, h('div', { class: 'card' }, field(t('auctions.reason'), reason), h('button', { 'data-testid': 'auction-suspend', onclick: act('suspend') }, t('auctions.suspend')), ' ', h('button', { 'data-testid': 'auction-resume', onclick: act('resume') }, t('auctions.resume')), errorLine()));
    else mount(actions);
    if (!notJoined && !release) {
      release = watch(channel);
      watching = true;
      void loadHistory();
    }
    if (a.status === 'closed' || a.status === 'failed') void showResult();
  };
  void load().catch((e) => mount(head, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message }))));
  paintConnection();
  mount(root, head, connection, clock, actions, board, feedback, chart.el, resultSlot);
  return root;
}
