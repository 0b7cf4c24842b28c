// The platform's own red-flag rules: each with a fixture that trips it and one that does not,
// and the event contract folded into a process view.
import { expect } from 'chai';
import * as rules from '../../server/supervision/rules/platform';
import { emptyView, toOcds, type ProcessView, type ViewBid } from '../../server/supervision/sources/process-view';
import { foldProcess, processKeyOf, type BusEvent } from '../../server/supervision/sources/event-contract';
import { RULES, matchesAction } from '../../server/supervision/rules/catalogue';
import { checkThresholds } from '../../server/supervision/config/service';
import { DEFAULT_RULES } from '../../server/core/rules/rule-book';
import { WorkingCalendar } from '../../server/core/rules/calendar';

const T = (code: string) => RULES.find((r) => r.code === code)!.thresholds as any;
const b = (supplierId: string, amountFen: number, extra: Partial<ViewBid> = {}): ViewBid => ({ id: `${supplierId}-${amountFen}`, supplierId, amountFen, status: 'valid', at: '2026-03-10T02:00:00.000Z', ip: null, deviceId: null, ...extra });
function view(over: Partial<ProcessView> = {}): ProcessView {
  return { ...emptyView('competition', '7'), title: '台式计算机', orgId: 3, method: 'online_competition', status: 'complete', ceilingFen: 1_000_000, ...over };
}
const won = (supplierId: string, amountFen: number | null) => [{ id: 'a', supplierId, amountFen, status: 'active' as const, at: '2026-03-11T00:00:00.000Z' }];

describe('redflag: platform rules', () => {
  it('SV01 single bidder: one bidder trips, two do not', () => {
    expect(rules.singleBidder(view({ bids: [b('1', 900_000)], awards: won('1', 900_000) }), T('SV01'))).to.have.length(1);
    expect(rules.singleBidder(view({ bids: [b('1', 900_000), b('2', 950_000)], awards: won('1', 900_000) }), T('SV01'))).to.have.length(0);
    expect(rules.singleBidder(view({ method: 'single_source', bids: [b('1', 900_000)], awards: won('1', 900_000) }), T('SV01'))).to.have.length(0);
  });

  it('SV02 bidding period below the legal minimum: a 15-day public tender trips, 20 days does not; inquiry counts working days', () => {
    const tender = (start: string, end: string, method = 'public_tender') => view({ kind: 'project', key: 'project:1', method, periodStart: start, periodEnd: end, status: 'active' });
    const f = rules.shortBiddingPeriod(tender('2026-03-01T02:00:00Z', '2026-03-16T02:00:00Z'), T('SV02'));
    expect(f).to.have.length(1);
    expect(f[0].params).to.include({ days: 15, minimum: 20, unit: 'days' });
    expect(rules.shortBiddingPeriod(tender('2026-03-01T02:00:00Z', '2026-03-21T02:00:00Z'), T('SV02'))).to.have.length(0);
    // Friday 2026-03-06 to Tuesday 2026-03-10: Mon, Tue = 2 working days < 3
    expect(rules.shortBiddingPeriod(tender('2026-03-06T02:00:00Z', '2026-03-10T02:00:00Z', 'inquiry'), T('SV02'))).to.have.length(1);
    expect(rules.shortBiddingPeriod(tender('2026-03-06T02:00:00Z', '2026-03-11T02:00:00Z', 'inquiry'), T('SV02'))).to.have.length(0);
  });

  it('SV02 counts working days over the holiday calendar: National Day is not working time', () => {
    const cal = new WorkingCalendar();
    const working = (day: string) => cal.isWorkingDay(day);
    const inquiry = (start: string, end: string) => view({ kind: 'project', key: 'project:2', method: 'inquiry', periodStart: start, periodEnd: end, status: 'active' });
    // Issued Wednesday 29 September 2027, due Friday 8 October: six weekdays, but 1–7 October are
    // the holiday: only 30 September and 8 October are working days.
    const holiday = inquiry('2027-09-29T02:00:00Z', '2027-10-08T02:00:00Z');
    expect(rules.shortBiddingPeriod(holiday, T('SV02'))).to.have.length(0); // Monday to Friday alone would miss it
    const f = rules.shortBiddingPeriod(holiday, T('SV02'), working);
    expect(f).to.have.length(1);
    expect(f[0].params).to.include({ days: 2, minimum: 3, unit: 'workingDays' });
    // Over the same days for ordinary weekdays in November: enough.
    expect(rules.shortBiddingPeriod(inquiry('2027-11-03T02:00:00Z', '2027-11-12T02:00:00Z'), T('SV02'), working)).to.have.length(0);
  });

  it('SV03 near-identical prices from different suppliers: a 0.05% gap trips, 1% does not', () => {
    expect(rules.nearIdenticalPrices(view({ bids: [b('1', 1_000_000), b('2', 999_500)] }), T('SV03'))).to.have.length(0); // a live reverse auction
    const f = rules.nearIdenticalPrices(view({ method: 'inquiry', status: 'active', bids: [b('1', 1_000_000, { status: 'pending' }), b('2', 999_500, { status: 'pending' })] }), T('SV03'));
    expect(f).to.have.length(1);
    expect(f[0].subjectKey).to.equal('competition:7:1,2');
    expect(rules.nearIdenticalPrices(view({ method: 'inquiry', bids: [b('1', 1_000_000), b('2', 990_000)] }), T('SV03'))).to.have.length(0);
    expect(rules.nearIdenticalPrices(view({ method: 'inquiry', bids: [b('1', 1_000_000), b('1', 1_000_000)] }), T('SV03'))).to.have.length(0);
  });

  it('SV04 two suppliers from the same IP or device trip it; distinct fingerprints do not', () => {
    const shared = view({ fingerprints: [{ supplierId: '1', ip: '10.0.0.5', deviceId: 'dev-a' }, { supplierId: '2', ip: '10.0.0.6', deviceId: 'dev-a' }, { supplierId: '3', ip: '10.0.0.7', deviceId: 'dev-c' }] });
    const f = rules.sharedIpOrDevice(shared, T('SV04'));
    expect(f).to.have.length(1);
    expect(f[0].evidence.groups).to.deep.equal([{ kind: 'device', value: 'dev-a', suppliers: ['1', '2'] }]);
    expect(rules.sharedIpOrDevice(shared, { checkIp: true, checkDevice: false })).to.have.length(0);
    expect(rules.sharedIpOrDevice(view({ fingerprints: [{ supplierId: '1', ip: '10.0.0.5', deviceId: 'a' }, { supplierId: '1', ip: '10.0.0.5', deviceId: 'a' }, { supplierId: '2', ip: '10.0.0.9', deviceId: 'b' }] }), T('SV04'))).to.have.length(0);
  });

  it('SV05 all bids just under the ceiling trips it; a spread does not', () => {
    expect(rules.bidsUnderCeiling(view({ bids: [b('1', 995_000), b('2', 990_000), b('3', 985_000)], awards: won('3', 985_000) }), T('SV05'))).to.have.length(1);
    expect(rules.bidsUnderCeiling(view({ bids: [b('1', 995_000), b('2', 990_000), b('3', 900_000)], awards: won('3', 900_000) }), T('SV05'))).to.have.length(0);
    expect(rules.bidsUnderCeiling(view({ bids: [b('1', 995_000), b('2', 990_000)], awards: won('2', 990_000) }), T('SV05'))).to.have.length(0);
  });

  it('SV06 one supplier winning 3 of a unit\'s 4 awards trips it; 2 of 4 does not', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const aw = (k: string, s: string, orgId = 3) => ({ processKey: k, orgId, supplierId: s, at: '2026-05-01T00:00:00.000Z' });
    const t = T('SV06');
    expect(rules.supplierConcentration([aw('a', '9'), aw('b', '9'), aw('c', '9'), aw('d', '1'), aw('e', '9', 4)], 3, '9', now, t)).to.have.length(1);
    expect(rules.supplierConcentration([aw('a', '9'), aw('b', '9'), aw('c', '2'), aw('d', '1')], 3, '9', now, t)).to.have.length(0);
    // outside the window
    expect(rules.supplierConcentration([aw('a', '9'), aw('b', '9'), aw('c', '9'), aw('d', '1')], 3, '9', new Date('2027-06-01T00:00:00Z'), t)).to.have.length(0);
  });

  it('SV07 three requisitions under 2,000,000 CNY adding up over it within 30 days trip it; two under it do not', () => {
    const r = (id: string, yuan: number, day: number, categoryCode = 'A02010104') => ({ id, orgId: 3, categoryCode, totalFen: yuan * 100, at: `2026-03-${String(day).padStart(2, '0')}T02:00:00.000Z` });
    // Unset, SV07 takes the rule book's numbers (the handler resolves them): 30 days, 2,000,000 CNY.
    const t = { ...T('SV07'), windowDays: DEFAULT_RULES.splitWindowDays.value, thresholdFen: DEFAULT_RULES.publicTenderThresholdGoodsServicesFen.value } as any;
    const f = rules.requisitionSplit([r('1', 780_000, 1), r('2', 760_000, 8)], r('3', 740_000, 20), t);
    expect(f).to.have.length(1);
    expect(f[0].evidence.requisitionIds).to.deep.equal(['1', '2', '3']);
    expect(rules.requisitionSplit([r('1', 780_000, 1)], r('3', 740_000, 20), t)).to.have.length(0);
    expect(rules.requisitionSplit([r('1', 780_000, 1), r('2', 760_000, 8, 'C16')], r('3', 740_000, 20), t)).to.have.length(0);
  });

  it('SV08 a contract amount different from the winning price trips it; equal amounts do not', () => {
    const base = { bids: [b('1', 900_000), b('2', 950_000)], awards: won('1', 900_000) };
    const f = rules.amountMismatch(view({ ...base, contracts: [{ id: 'c', supplierId: '1', amountFen: 930_000, status: 'signed', at: null }] }), T('SV08'));
    expect(f).to.have.length(1);
    expect(f[0].params).to.include({ what: 'contract', expectedYuan: 9000, actualYuan: 9300 });
    expect(rules.amountMismatch(view({ ...base, contracts: [{ id: 'c', supplierId: '1', amountFen: 900_000, status: 'signed', at: null }] }), T('SV08'))).to.have.length(0);
    expect(rules.amountMismatch(view({ ...base, awards: won('1', 905_000) }), T('SV08'))[0].params.what).to.equal('award');
  });

  it('SV11 a winning price under 80% of the others\' mean trips it; 90% does not', () => {
    expect(rules.abnormallyLowPrice(view({ ceilingFen: null, bids: [b('1', 600_000), b('2', 900_000), b('3', 950_000)], awards: won('1', 600_000) }), T('SV11'))).to.have.length(1);
    expect(rules.abnormallyLowPrice(view({ ceilingFen: null, bids: [b('1', 830_000), b('2', 900_000), b('3', 950_000)], awards: won('1', 830_000) }), T('SV11'))).to.have.length(0);
    expect(rules.abnormallyLowPrice(view({ ceilingFen: 2_000_000, bids: [b('1', 900_000)], awards: won('1', 900_000) }), T('SV11'))[0].params.basis).to.equal('ceiling');
  });

  it('SV09 and SV10 react to the workflow\'s and the draw\'s events', () => {
    expect(matchesAction(RULES.find((r) => r.code === 'SV09')!.actions, 'step.overdue')).to.equal(true);
    expect(matchesAction(RULES.find((r) => r.code === 'SV10')!.actions, 'sealed.read_attempt')).to.equal(true);
    expect(matchesAction(RULES.find((r) => r.code === 'SV10')!.actions, 'draw.revealed')).to.equal(false);
  });

  it('folds the auction event contract into a view and its OCDS release', () => {
    let seq = 0;
    const ev = (action: string, entityType: string, entityId: string, after: object, ip: string | null = null): BusEvent => ({ seq: ++seq, occurred_at: `2026-03-10 02:00:0${seq}.000`, actor_id: 1, actor_role: 'supplier', action, entity_type: entityType, entity_id: entityId, after_json: JSON.stringify(after), ip });
    const events = [
      ev('competition.created', 'competition', '12', { orgId: 3, title: '台式计算机', ceilingFen: 1_000_000, startsAt: '2026-03-10T02:00:00Z', endsAt: '2026-03-10T03:00:00Z', categoryCode: 'A02010104' }),
      ev('competition.opened', 'competition', '12', {}),
      ev('bid.accepted', 'bid', '100', { competitionId: 12, supplierId: 5, amountFen: 990_000, ip: '10.0.0.1', deviceId: 'd1' }),
      ev('bid.accepted', 'bid', '101', { competitionId: 12, supplierId: 6, amountFen: 980_000, ip: '10.0.0.2', deviceId: 'd2' }),
      ev('bid.accepted', 'bid', '102', { competitionId: 12, supplierId: 5, amountFen: 970_000, ip: '10.0.0.1', deviceId: 'd1' }),
      ev('competition.closed', 'competition', '12', { winnerSupplierId: 5, winnerPriceFen: 970_000 }),
    ];
    expect(events.map(processKeyOf)).to.deep.equal(Array(6).fill('competition:12'));
    const v = foldProcess('competition:12', events);
    expect(v).to.deep.include({ orgId: 3, method: 'online_competition', status: 'complete', ceilingFen: 1_000_000 });
    expect(v.bids.map((x) => [x.supplierId, x.amountFen, x.status])).to.deep.equal([['5', 970_000, 'valid'], ['6', 980_000, 'valid']]);
    expect(v.awards).to.have.length(1);
    const o = toOcds(v);
    expect(o.tender).to.deep.include({ procurementMethod: 'open', numberOfTenderers: 2 });
    expect(o.awards![0].suppliers).to.deep.equal([{ id: 'S5' }]);
  });

  it('folds the tendering event contract (sealed bids, prices after opening, award)', () => {
    let seq = 0;
    const ev = (action: string, after: object): BusEvent => ({ seq: ++seq, occurred_at: `2026-03-${String(seq).padStart(2, '0')} 02:00:00.000`, actor_id: 1, actor_role: 'operator', action, entity_type: 'tender', entity_id: '4', after_json: JSON.stringify(after), ip: null });
    const events = [
      ev('tender.published', { orgId: 3, title: '教学设备', method: 'public_tender', budgetFen: 50_000_000, categoryCode: 'A02', tenderPeriod: { startDate: '2026-03-01T02:00:00.000Z', endDate: '2026-03-16T02:00:00.000Z' } }),
      ev('bid.submitted', { tenderId: 4, bidId: 11, supplierId: 5, ip: '10.0.0.1' }),
      ev('bid.submitted', { tenderId: 4, bidId: 12, supplierId: 6, ip: '10.0.0.1' }),
      ev('bid.disqualified', { tenderId: 4, bidId: 12, supplierId: 6, reason: 'QUALIFICATION' }),
      ev('bid.valid', { tenderId: 4, bidId: 11, supplierId: 5, priceFen: 45_000_000, rank: 1 }),
      ev('tender.awarded', { supplierId: 5, amountFen: 45_000_000 }),
    ];
    const v = foldProcess('tender:4', events);
    expect(v).to.deep.include({ kind: 'tender', orgId: 3, method: 'public_tender', status: 'complete', periodStart: '2026-03-01T02:00:00.000Z', periodEnd: '2026-03-16T02:00:00.000Z' });
    expect(v.bids.map((x) => [x.id, x.status, x.amountFen])).to.deep.equal([['11', 'valid', 45_000_000], ['12', 'disqualified', null]]);
    expect(rules.shortBiddingPeriod(v, T('SV02'))).to.have.length(1); // 15 days < 20
    expect(rules.sharedIpOrDevice(v, T('SV04'))).to.have.length(1); // both from 10.0.0.1
    expect(rules.singleBidder(v, T('SV01'))).to.have.length(0); // two submitted bids
  });

  it('reads the auction sequencer\'s batch event as the bids it lists (same facts, same order)', () => {
    let seq = 0;
    const ev = (action: string, after: object, ip: string | null = null): BusEvent => ({ seq: ++seq, occurred_at: `2026-03-10 02:${String(seq).padStart(2, '0')}:00.000`, actor_id: null, actor_role: 'system', action, entity_type: 'auction', entity_id: '12', after_json: JSON.stringify(after), ip });
    const events = [
      ev('auction.opened', { orgId: 3, title: '复印纸', ceilingFen: 1_000_000, endsAt: '2026-03-10T03:00:00.000Z' }),
      ev('auction.bids_accepted', { auctionId: 12, ceilingFen: 1_000_000, bids: [
        { seq: 1, supplierId: 5, amountFen: 990_000, ip: '10.0.0.9', deviceId: 'dev-1' },
        { seq: 2, supplierId: 6, amountFen: 985_000, ip: '10.0.0.9', deviceId: 'dev-2' },
      ] }),
      ev('auction.bids_accepted', { auctionId: 12, ceilingFen: 1_000_000, bids: [{ seq: 3, supplierId: 5, amountFen: 970_000, ip: '10.0.0.9', deviceId: 'dev-1' }] }),
      ev('auction.closed', { status: 'closed', winnerSupplierId: 5, priceFen: 970_000 }),
    ];
    expect(matchesAction(RULES.find((r) => r.code === 'SV04')!.actions, 'auction.bids_accepted')).to.equal(true);
    const v = foldProcess('competition:12', events);
    // a supplier's later bid replaces its earlier one
    expect(v.bids.map((x) => [x.supplierId, x.amountFen, x.status])).to.deep.equal([['5', 970_000, 'valid'], ['6', 985_000, 'valid']]);
    expect(rules.sharedIpOrDevice(v, T('SV04'))).to.have.length(1); // suppliers 5 and 6 bid from 10.0.0.9
  });

  it('keeps every threshold in its default\'s shape', () => {
    const def = RULES.find((r) => r.code === 'R024')!;
    expect(checkThresholds(def, { threshold: 0.05 })).to.deep.equal({ threshold: 0.05 });
    expect(checkThresholds(def, { threshold: null })).to.deep.equal({ threshold: null });
    expect(() => checkThresholds(def, { threshold: 'x' })).to.throw(/wrong type/);
    expect(() => checkThresholds(def, { nope: 1 })).to.throw(/no threshold/);
  });
});
