// The competition room as a bidding supplier sees it (issue 13): the decrement and the highest
// amount allowed next, one-click "bid the maximum", the fat-finger confirmation, the price
// history chart (ECharts), a large clock on server time, a rank line that follows the board, the
// connection lost and restored, and what a supplier who has not joined is told.
import { expect } from 'chai';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server';
import { launchBrowser, loginThroughPage } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { auctionBody, createBidders, JOIN_LEAD_MS, moveStart, type BidderFixture } from '../integration/auction-fixtures';
import { systemClock, toDbTime } from '../../server/db/time';

async function placeBid(page: Page, yuan: string) {
  await page.getByTestId('auction-bid-feedback').evaluate((el) => delete (el as HTMLElement).dataset.result);
  await page.getByTestId('auction-amount').fill(yuan);
  await page.getByTestId('auction-place-bid').click();
  await page.locator('[data-testid=auction-bid-feedback][data-result]').waitFor();
}

/** Latin letters (outside the lot codes and brand names the test typed) mean untranslated text. */
function latinWords(text: string): string[] {
  return (text.match(/[A-Za-z][A-Za-z_]{2,}/g) ?? []).filter((w) => !/^(room|brand|WSJJ|SSD)$/.test(w));
}

describe(`browser: the competition room for a bidding supplier (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  let s: TestServer;
  let browser: Browser;
  let bidders: BidderFixture[];
  let running = 0;
  let announced = 0;

  before(async () => {
    s = await startTestServer();
    bidders = await createBidders(s.tdb.db, systemClock, 4, { prefix: 'room' });
    const op = await s.as('operator');
    const r = await op.post('/api/auctions', auctionBody(new Date(Date.now() + JOIN_LEAD_MS), { title: '台式计算机网上竞价（竞价室）', visibility: 'best_price', durationSec: 900 }));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    running = r.body.id;
    const later = await op.post('/api/auctions', auctionBody(new Date(Date.now() + 3 * 3_600_000), { title: '台式计算机网上竞价（待开始）' }));
    expect(later.status, JSON.stringify(later.body)).to.equal(201);
    announced = later.body.id;
    // Joined directly (the join route has its own tests, and the page's join form is checked below),
    // so a loaded machine cannot miss the start.
    const now = toDbTime(new Date());
    await s.tdb.db('auction_participants').insert(bidders.slice(0, 3).map((b, k) => ({ auction_id: running, supplier_id: b.supplierId, label: String.fromCharCode(65 + k), brand: b.brand, model: b.model, user_id: b.userId, ip: '127.0.0.1', device_id: null, joined_at: now })));
    await moveStart(s.tdb.db, running);
    for (let i = 0; i < 100 && (await s.tdb.db('auctions').where({ id: running }).first()).status !== 'running'; i++) await new Promise((r2) => setTimeout(r2, 100));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('shows the decrement, bids the maximum in one click, guards a far-below bid, charts the history, follows the board and the server clock, and says when the connection drops (zh-CN, then English)', async () => {
    // A's computer clock runs seven minutes fast: the room must count down on the server's time.
    const ctxA = await browser.newContext({ viewport: { width: 1200, height: 1300 } });
    await ctxA.clock.install({ time: Date.now() + 7 * 60_000 });
    const a = await ctxA.newPage();
    let blocked = false;
    let socket: WebSocketRoute | null = null;
    await a.routeWebSocket(/\/ws$/, (ws) => {
      if (blocked) return void ws.close({ code: 4000, reason: 'cut by the test' });
      socket = ws;
      ws.connectToServer();
    });
    const ctxB = await browser.newContext();
    const b = await ctxB.newPage();
    await loginThroughPage(a, s.url, bidders[0].username);
    await loginThroughPage(b, s.url, bidders[1].username);
    await a.goto(`${s.url}/auctions/${running}`);
    await b.goto(`${s.url}/auctions/${running}`);
    await a.locator('[data-testid=auction-status]').filter({ hasText: '竞价中' }).waitFor();
    await b.locator('[data-testid=auction-status]').filter({ hasText: '竞价中' }).waitFor();

    // The clock: large, on server time (about 15 minutes left, not the 8 the fast local clock gives).
    const countdown = (await a.getByTestId('auction-countdown').textContent())!;
    const m = /^距结束 (\d\d):(\d\d)$/.exec(countdown);
    expect(m, countdown).to.not.equal(null);
    expect(Number(m![1])).to.be.within(13, 15);
    expect(await a.getByTestId('auction-countdown').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).to.be.at.least(32);
    // Decrement, highest allowed next, an empty chart that says so, and the lot category by name.
    expect(await a.getByTestId('auction-decrement').textContent()).to.equal('¥100.00');
    expect(await a.getByTestId('auction-max-bid').textContent()).to.equal('¥250,000.00');
    expect(await a.getByTestId('auction-best').textContent()).to.equal('暂无报价');
    expect(await a.getByTestId('auction-bid-max').textContent()).to.equal('按可报最高价出价（¥250,000.00）');
    await a.getByTestId('auction-chart-empty').waitFor();
    expect(await a.getByTestId('auction-room').textContent()).to.not.include('A02010104');

    // One click bids the highest amount allowed.
    await a.getByTestId('auction-bid-feedback').evaluate((el) => delete (el as HTMLElement).dataset.result);
    await a.getByTestId('auction-bid-max').click();
    await a.locator('[data-testid=auction-bid-feedback][data-result=bid\\.accepted]').waitFor();
    expect(await a.getByTestId('auction-bid-feedback').textContent()).to.equal('报价已受理：第 1 号，¥250,000.00，当前排名第 1 名');
    await a.locator('[data-testid=auction-max-bid]').filter({ hasText: '¥249,900.00' }).waitFor();

    // B undercuts: A's board and A's answer line both say second, never first.
    await placeBid(b, '249000');
    await a.locator('[data-testid=auction-my-rank]').filter({ hasText: '第 2 名' }).waitFor();
    expect(await a.getByTestId('auction-bid-feedback').textContent()).to.equal('报价已受理：第 1 号，¥250,000.00，当前排名第 2 名（已被超越）');
    expect(await a.getByTestId('auction-best').textContent()).to.equal('¥249,000.00');

    // A bid 19.7% below the best asks first; "change it" sends nothing.
    await a.getByTestId('auction-amount').fill('200000');
    await a.getByTestId('auction-place-bid').click();
    await a.getByTestId('auction-confirm').waitFor();
    expect(await a.getByTestId('auction-confirm-text').textContent()).to.equal('您的报价 ¥200,000.00 比当前最低价 ¥249,000.00 低 19.7%，是否确认提交？');
    await a.getByTestId('auction-confirm-no').click();
    await a.getByTestId('auction-confirm').waitFor({ state: 'hidden' });
    expect(await a.getByTestId('auction-activity').textContent()).to.include('报价 2 次');
    // A near bid goes straight through.
    await placeBid(a, '248500');
    expect(await a.getByTestId('auction-bid-feedback').textContent()).to.equal('报价已受理：第 3 号，¥248,500.00，当前排名第 1 名');
    // The chart: the best price stepped three times, A's two bids marked.
    await a.locator('[data-testid=auction-chart][data-best-points="3"][data-own-points="2"]').waitFor();
    await a.locator('[data-testid=auction-chart] svg').waitFor();
    expect(await a.getByTestId('auction-chart').textContent()).to.include('本方报价');
    expect(latinWords((await a.getByTestId('auction-room').textContent())!)).to.deep.equal([]);
    await a.screenshot({ path: '/tmp/competition-room-zh-CN.png', fullPage: true });

    // The connection drops: the room says so and will not take a bid; it comes back by itself.
    blocked = true;
    (socket as WebSocketRoute | null)?.close({ code: 4000, reason: 'cut by the test' });
    await a.locator('[data-testid=auction-connection][data-state=lost]').waitFor();
    expect(await a.getByTestId('auction-connection').textContent()).to.include('实时连接已断开');
    expect(await a.getByTestId('auction-place-bid').isDisabled()).to.equal(true);
    await placeBid(b, '248000'); // a bid A misses while away
    await a.screenshot({ path: '/tmp/competition-room-lost-zh-CN.png' });
    blocked = false;
    await a.locator('[data-testid=auction-connection][data-state=restored]').waitFor();
    expect(await a.getByTestId('auction-connection').textContent()).to.equal('连接已恢复，已重新获取最新报价情况。');
    await a.locator('[data-testid=auction-best]').filter({ hasText: '¥248,000.00' }).waitFor();
    await a.locator('[data-testid=auction-chart][data-best-points="4"]').waitFor();
    expect(await a.getByTestId('auction-place-bid').isDisabled()).to.equal(false);

    // The same room in English.
    await a.getByTestId('lang-switch').click();
    await a.locator('[data-testid=auction-status]').filter({ hasText: 'Running' }).waitFor();
    expect(await a.getByTestId('auction-countdown').textContent()).to.match(/^Ends in 1[345]:\d\d$/);
    expect(await a.getByTestId('auction-decrement').textContent()).to.equal('CN¥100.00');
    expect(await a.getByTestId('auction-bid-max').textContent()).to.equal('Bid the highest allowed (CN¥247,900.00)');
    await a.getByTestId('auction-amount').fill('210000');
    await a.getByTestId('auction-place-bid').click();
    expect(await a.getByTestId('auction-confirm-text').textContent()).to.equal('Your bid of CN¥210,000.00 is 15.3% below the best price (CN¥248,000.00). Send it?');
    await a.getByTestId('auction-bid-feedback').evaluate((el) => delete (el as HTMLElement).dataset.result);
    await a.getByTestId('auction-confirm-yes').click();
    await a.locator('[data-testid=auction-bid-feedback][data-result=bid\\.accepted]').waitFor();
    expect(await a.getByTestId('auction-bid-feedback').textContent()).to.equal('Bid accepted: no. 5, CN¥210,000.00, rank 1');
    await a.locator('[data-testid=auction-chart][data-own-points="3"]').waitFor();
    expect(await a.getByTestId('auction-chart').textContent()).to.include('My bids');
    await a.screenshot({ path: '/tmp/competition-room-en.png', fullPage: true });
    // No supplier identity anywhere in a supplier's room.
    expect(await a.locator('body').textContent()).to.not.include('room 测试供应商');
    await ctxA.close();
    await ctxB.close();
  });

  it('tells a supplier that has not joined why it cannot bid, and before the start how to join (zh-CN and English)', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await loginThroughPage(p, s.url, bidders[3].username);
    await p.goto(`${s.url}/auctions/${running}`);
    await p.getByTestId('auction-not-joined').waitFor();
    expect(await p.getByTestId('auction-not-joined').textContent()).to.match(/^贵公司未在竞价开始（.+）前报名，不能在本次竞价中报价；竞价开始后不再接受报名。$/);
    expect(await p.getByTestId('auction-place-bid').count()).to.equal(0);
    await p.goto(`${s.url}/auctions/${announced}`);
    await p.getByTestId('auction-join-how').waitFor();
    expect(await p.getByTestId('auction-join-how').textContent()).to.match(/^竞价开始（.+）前可以报名：选择贵公司在「台式计算机」品目下的入库品牌型号，点击报名参加。开始后不再接受报名。$/);
    await p.locator('[data-testid=auction-brand] option').first().waitFor({ state: 'attached' });
    expect(await p.getByTestId('auction-join-submit').isDisabled()).to.equal(false);
    await p.getByTestId('lang-switch').click();
    await p.getByTestId('auction-join-how').filter({ hasText: 'You can join until it starts' }).waitFor();
    await p.goto(`${s.url}/auctions/${running}`);
    await p.getByTestId('auction-not-joined').waitFor();
    expect(await p.getByTestId('auction-not-joined').textContent()).to.match(/^Your company did not join before the start \(.+\), so it cannot bid in this competition; joining closes at the start\.$/);
    await ctx.close();
  });
});
