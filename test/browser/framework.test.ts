// In the browser, one full framework-agreement run: the procurement centre drafts and publishes a
// call for entry, three suppliers seal their responses in the page (key file or passphrase), each hands in its key at the opening, the
// centre selects the entry suppliers (price priority, at least one eliminated), the entries sign;
// then a purchasing unit raises a requisition that the method table routes to a framework order,
// the chain approves it, the unit orders by direct selection with its reason, and the order goes
// through contract, acceptance and payment; the public portal shows the agreement and the order.
import { expect } from 'chai';
import path from 'node:path';
import os from 'node:os';
import { sealResponse } from '../../client/src/views/framework/sealing';
import { generateBidKey } from '../../client/src/views/tendering/sealing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { createBidders, type BidderFixture } from '../integration/auction-fixtures';
import { FinanceClient } from '../../scripts/finance-sim/client';
import { TestClient } from '../helpers/http';
import { cookieFor } from '../integration/auction-fixtures';
import { cast, raise, approveAll } from '../integration/workflow-helpers';

const DAY = 86_400_000;
const TABLETS = 'A02010108';
/** A moment as the datetime-local field reads it in China Standard Time. */
const localInput = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16);
const chinaDay = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

describe(`browser: framework-agreement procurement, first stage to a paid order (${TEST_DIALECT})`, function () {
  this.timeout(240000);
  // The server's clock starts at the real time (session cookies stay valid) and only moves forward.
  const clock = new ManualClock(Date.now());
  let s: TestServer;
  let browser: Browser;
  let bidders: BidderFixture[];
  const contexts: BrowserContext[] = [];

  before(async () => {
    ({ s, browser } = await startServerAndBrowser({ clock }));
    bidders = await createBidders(s.tdb.db, clock, 3, { prefix: 'fwb', category: TABLETS });
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await closeServerAndBrowser(s, browser);
  });

  async function as(username: string): Promise<Page> {
    const ctx = await browser.newContext({ timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, username);
    return page;
  }
  async function go(page: Page, path: string) {
    await page.goto(s.url + path);
  }
  async function advance(ms: number) {
    clock.advance(ms);
    while ((await s.platform.scheduler.runDue()) > 0);
  }

  it('runs the call for entry, the order by direct selection and its payment through the screens', async () => {
    // ---- first stage: the procurement centre ----
    const op = await as('operator');
    await op.locator('[data-nav="/framework-agreements"]').click();
    await op.getByTestId('framework-agreements').waitFor();
    expect(await op.locator('h1').textContent()).to.equal('框架协议采购');
    await op.getByTestId('call-form').locator('summary').click();
    await op.getByTestId('call-title').fill('平板电脑');
    await op.getByTestId('call-category').fill(TABLETS);
    await op.getByTestId('call-conditions').fill('具备平板电脑供货和三年上门保修能力');
    const deadline = new Date(clock.now().getTime() + 21 * DAY);
    const termStart = chinaDay(new Date(deadline.getTime() + DAY));
    const termEnd = chinaDay(new Date(new Date(`${termStart}T00:00:00+08:00`).getTime() + 364 * DAY));
    await op.getByTestId('call-start').fill(termStart);
    await op.getByTestId('call-end').fill(termEnd);
    await op.getByTestId('item-category').fill(TABLETS);
    await op.getByTestId('item-name').fill('平板电脑');
    await op.getByTestId('item-spec').fill('11 英寸，8G/256G');
    await op.getByTestId('item-unit').fill('台');
    await op.getByTestId('item-max').fill('4000');
    await op.getByTestId('call-create').click();
    await op.getByTestId('framework-agreement').locator('[data-status=draft]').waitFor();
    const ref = (await op.locator('h1').textContent())!.split(' · ')[0];
    expect(ref).to.match(/^KJXY-\d{4}-\d{4}$/);
    const agreementId = (await s.tdb.db('framework_agreements').where({ ref }).first('id')).id;
    await op.getByTestId('call-deadline').fill(localInput(deadline));
    await op.getByTestId('call-publish').click();
    await op.getByTestId('agreement-status').locator('[data-status=calling]').waitFor();

    // ---- suppliers seal their responses in the page: two keep a key file, one a passphrase ----
    const prices = ['3500', '3600', '3700'];
    const keyFiles = new Map<number, string>();
    const PASS = '框架协议口令-2026';
    for (const [i, b] of bidders.entries()) {
      const sp = await as(b.username);
      await go(sp, `/framework-agreements/${agreementId}`);
      await sp.getByTestId('respond-price-1').fill(prices[i]);
      await sp.getByTestId('respond-brand-1').fill(b.brand);
      await sp.getByTestId('respond-model-1').fill(b.model);
      await sp.getByTestId('respond-statement').fill('响应征集公告全部条件');
      if (i === 1) {
        await sp.getByTestId('respond-mode-pass').check();
        await sp.getByTestId('respond-pass').fill(PASS);
        await sp.getByTestId('respond-pass2').fill(PASS);
      }
      await sp.getByTestId('respond-submit').click();
      await sp.getByTestId('my-receipt').waitFor();
      expect(await sp.getByTestId('my-receipt').textContent()).to.match(new RegExp(`回执号 ${ref}-[0-9A-F]{8}`));
      if (i !== 1) {
        const [download] = await Promise.all([sp.waitForEvent('download'), sp.getByTestId('respond-key-download').click()]);
        const file = path.join(os.tmpdir(), `fw-key-${process.pid}-${i}.json`);
        await download.saveAs(file);
        keyFiles.set(i, file);
      }
    }
    // The server holds only ciphertext: no price in any stored response.
    for (const r of await s.tdb.db('framework_responses').where({ agreement_id: agreementId })) for (const p of prices) expect(r.sealed).to.not.include(`${p}00`);
    await op.reload();
    expect(await op.getByTestId('sealed-count').textContent()).to.contain('已收到 3 份密封响应文件');

    // ---- the deadline: the key window opens; each supplier hands in its key ----
    await advance(21 * DAY + 60_000);
    for (const [i, b] of bidders.entries()) {
      const sp = await as(b.username);
      await go(sp, `/framework-agreements/${agreementId}`);
      await sp.getByTestId('key-form').waitFor();
      if (i === 1) {
        // A mistyped passphrase is caught in the page: nothing sent, no attempt used.
        await sp.getByTestId('key-pass').fill('不是这个口令');
        await sp.getByTestId('key-submit').click();
        await sp.getByTestId('key-message').filter({ hasText: '打不开' }).waitFor();
        await sp.getByTestId('key-pass').fill(PASS);
      } else await sp.getByTestId('key-file').setInputFiles(keyFiles.get(i)!);
      await sp.getByTestId('key-submit').click();
      if (i < 2) await sp.getByTestId('my-decrypted').waitFor();
      else await sp.getByTestId('my-result').waitFor(); // the last key: every response read out
    }
    expect((await s.tdb.db('framework_responses').where({ agreement_id: agreementId }).max({ k: 'key_attempts' }).first())!.k).to.equal(1);
    const op2 = await as('operator');
    await go(op2, `/framework-agreements/${agreementId}`);
    await op2.getByTestId('framework-responses').waitFor();
    await op2.getByTestId('call-evaluate').click();
    await op2.getByTestId('agreement-status').locator('[data-status=entries_published]').waitFor();
    // 3 valid responses: max(1, ceil(3 × 20 %)) = 1 eliminated, the two cheapest enter.
    expect(await op2.getByTestId('framework-entries').locator('tbody tr').count()).to.equal(2);
    for (const b of bidders.slice(0, 2)) {
      const sp = await as(b.username);
      await go(sp, `/framework-agreements/${agreementId}`);
      await sp.getByTestId('agreement-sign').click();
      await sp.getByTestId('agreement-sign').waitFor({ state: 'detached' });
    }
    await go(op2, `/framework-agreements/${agreementId}`);
    await op2.getByTestId('agreement-status').locator('[data-status=active]').waitFor();
    expect((await s.tdb.db('framework_agreements').where({ id: agreementId }).first('status')).status).to.equal('active');

    // ---- second stage: a purchasing unit orders within the agreement ----
    await advance(DAY); // the term starts
    const pu = await as('purchaser');
    await go(pu, '/requisitions/new');
    await pu.getByTestId('req-availability').locator('div').first().waitFor();
    await pu.getByTestId('req-title').fill('教研室平板电脑');
    await pu.getByTestId('item-category').selectOption(TABLETS);
    await pu.getByTestId('item-name').fill('平板电脑');
    await pu.getByTestId('item-spec').fill('11 英寸，8G/256G');
    await pu.getByTestId('item-qty').fill('5');
    await pu.getByTestId('item-price').fill('4000');
    await pu.getByTestId('req-justification').fill('教研室移动教学需要');
    await pu.getByTestId('req-submit').click();
    await pu.getByTestId('req-detail').locator('h1').waitFor();
    expect(await pu.getByTestId('req-method').textContent()).to.equal('框架协议订单');
    const reqRef = (await pu.getByTestId('req-detail').locator('h1').textContent())!.split(' · ')[0];
    for (const who of ['approver', 'finance', 'operator']) {
      const ap = await as(who);
      await ap.locator('[data-nav="/approvals"]').click();
      const card = ap.locator(`[data-testid=inbox-item][data-ref="${reqRef}"]`);
      await card.getByTestId('inbox-approve').click();
      await ap.getByTestId('inbox-flash').filter({ hasText: reqRef }).waitFor();
    }
    const project = await s.tdb.db('procurement_projects as p').join('requisitions as r', 'r.id', 'p.requisition_id').where('r.ref', reqRef).first('p.id', 'p.stage');
    expect(project.stage).to.equal('order');
    await go(pu, `/projects/${project.id}`);
    await pu.getByTestId('order-entries').waitFor();
    expect(await pu.getByTestId('order-entries').textContent()).to.contain('¥17,500.00');
    await pu.getByTestId('order-mode').selectOption('direct');
    await pu.getByTestId('order-pick-2').check();
    await pu.getByTestId('order-reason').fill('售后网点距本单位最近');
    await pu.getByTestId('order-place').click();
    await pu.getByTestId('order-placed').waitFor();
    expect(await pu.getByTestId('order-placed').textContent()).to.contain('直接选定');
    const awarded = await s.tdb.db('procurement_projects').where({ id: project.id }).first('stage', 'award_fen', 'awarded_supplier_id');
    expect(awarded).to.deep.include({ stage: 'award_notice', awarded_supplier_id: bidders[1].supplierId });
    expect(Number(awarded.award_fen)).to.equal(1_800_000);

    // ---- the order notice runs out; contract, acceptance, payment ----
    await advance(4 * DAY);
    const pu2 = await as('purchaser');
    await go(pu2, `/projects/${project.id}`);
    await pu2.getByTestId('contract-draft').click();
    await pu2.getByTestId('contract-sign').click();
    await pu2.getByTestId('contract-sign').waitFor({ state: 'detached' });
    const sup = await as(bidders[1].username);
    await go(sup, `/projects/${project.id}`);
    await sup.getByTestId('contract-sign').click();
    await sup.getByTestId('contract-sign').waitFor({ state: 'detached' });
    await pu2.reload();
    await pu2.getByTestId('contract-note').fill('五台平板电脑验收合格');
    await pu2.getByTestId('contract-accept').click();
    await pu2.getByTestId('payment-status').waitFor();
    const fin = new FinanceClient(s.url, s.config.secrets.financeHmacSecret, () => clock.now());
    const pr = (await fin.paymentRequests('status=requested')).body.items.find((x: any) => x.amountFen === 1_800_000);
    expect(pr, 'payment request').to.exist;
    await fin.setStatus(pr.ref, { status: 'accepted', treasuryRef: 'GK-FW-1' });
    await fin.setStatus(pr.ref, { status: 'paid', treasuryRef: 'GK-FW-1' });
    await pu2.reload();
    await pu2.locator('[data-testid=project] [data-status=closed]').first().waitFor();

    // ---- the public portal ----
    const pub = await (await browser.newContext({ timezoneId: 'Asia/Shanghai' })).newPage();
    await pub.goto(`${s.url}/portal/framework-agreements/${ref}`);
    await pub.getByTestId('portal-framework-entries').waitFor();
    expect(await pub.getByTestId('portal-framework-entries').locator('tbody tr').count()).to.equal(2);
    await pub.getByTestId('framework-orders').filter({ hasText: '直接选定' }).waitFor();
    expect(await pub.getByTestId('framework-orders').textContent()).to.contain('¥18,000.00');
  });

  it('runs a second competition from the order panel in the competition room, among the entry suppliers only', async () => {
    // The first stage through the API (the screens are the test above), with four responders so three enter.
    const fresh = await createBidders(s.tdb.db, clock, 4, { prefix: 'fwc', category: TABLETS });
    const client = async (b: BidderFixture) => Object.assign(new TestClient(s.url), await cookieFor(s.platform.sessions, b.userId));
    const op = await s.as('operator');
    const deadline = new Date(clock.now().getTime() + 21 * DAY);
    const termStart = chinaDay(new Date(deadline.getTime() + DAY));
    const a = (await op.post('/api/framework-agreements', { title: '平板电脑（二次竞价）', categoryCode: TABLETS, evaluationMethod: 'price_priority', entryConditions: '具备供货能力', secondStageModes: ['competition'], termStart, termEnd: chinaDay(new Date(deadline.getTime() + 200 * DAY)), items: [{ categoryCode: TABLETS, name: '平板电脑', specification: '11 英寸', unit: '台', maxPriceFen: 400_000 }] })).body;
    expect((await op.post(`/api/framework-agreements/${a.id}/publish`, { responseDeadline: deadline.toISOString() })).status).to.equal(200);
    const keys: string[] = [];
    for (const [i, b] of fresh.entries()) {
      const sealed = sealResponse({ agreementId: a.id, supplierId: b.supplierId, statement: '响应', items: [{ itemId: a.items[0].id, unitPriceFen: 350_000 + i * 10_000, brand: b.brand, model: b.model }] }, { keyHex: generateBidKey() });
      keys.push(sealed.keyHex);
      expect((await (await client(b)).post(`/api/framework-agreements/${a.id}/responses`, { envelope: sealed.envelope, digest: sealed.digest })).status).to.equal(201);
    }
    await advance(21 * DAY + 60_000);
    for (const [i, b] of fresh.entries()) expect((await (await client(b)).post(`/api/framework-agreements/${a.id}/responses/key`, { keyHex: keys[i] })).status).to.equal(200);
    const op2 = await s.as('operator');
    expect((await op2.post(`/api/framework-agreements/${a.id}/evaluate`, {})).body.entries).to.have.length(3);
    for (const b of fresh.slice(0, 3)) expect((await (await client(b)).post(`/api/framework-agreements/${a.id}/sign`)).status).to.equal(200);
    await advance(DAY);
    const c = await cast(s);
    const req = await raise(c, [{ categoryCode: TABLETS, name: '平板电脑', specification: '11 英寸', quantity: 10, unit: '台', unitPriceFen: 400_000 }], { neededBy: chinaDay(new Date(clock.now().getTime() + 90 * DAY)) });
    expect(req.method).to.equal('framework_order');
    const pid = await approveAll(c, req.id);

    // The unit orders a second competition on its project page and lands in the room.
    const pu = await as('purchaser');
    await go(pu, `/projects/${pid}`);
    await pu.getByTestId('order-entries').waitFor();
    await pu.getByTestId('order-mode').selectOption('competition');
    const startsAt = new Date(clock.now().getTime() + 3_600_000);
    await pu.getByTestId('order-starts').fill(localInput(startsAt));
    await pu.getByTestId('order-duration').fill('10');
    await pu.getByTestId('order-decrement').fill('100');
    await pu.getByTestId('order-place').click();
    await pu.waitForURL(/\/auctions\/\d+$/);
    const auctionId = Number(pu.url().split('/').pop());
    const row = await s.tdb.db('auctions').where({ id: auctionId }).first('ceiling_fen', 'project_id', 'status');
    expect(Number(row.ceiling_fen)).to.equal(3_700_000); // 10 × the highest entry price, 3,700.00
    expect(row).to.include({ project_id: pid, status: 'announced' });

    // The entry suppliers join in the room; the one left out is refused.
    const rooms: Page[] = [];
    for (const b of fresh) {
      const sp = await as(b.username);
      await go(sp, `/auctions/${auctionId}`);
      await sp.locator('[data-testid=auction-join-submit]:not([disabled])').waitFor();
      await sp.getByTestId('auction-join-submit').click();
      if (b === fresh[3]) {
        await sp.locator('[data-testid=auction-join] [data-code=NOT_AN_ENTRY_SUPPLIER]').waitFor();
        continue;
      }
      await sp.getByTestId('auction-joined').waitFor();
      rooms.push(sp);
    }
    expect(await s.tdb.db('auction_participants').where({ auction_id: auctionId }).count({ n: '*' }).first().then((r: any) => Number(r.n))).to.equal(3);

    // At the start the open job starts it; each bids in the room; the close job hands the result to the order.
    await advance(3_600_000 + 1000);
    const amounts = ['35000', '34900', '34800'];
    for (const [i, sp] of rooms.entries()) {
      await sp.reload();
      await sp.locator('[data-testid=auction-status]').filter({ hasText: '竞价中' }).waitFor();
      if (i === 0) {
        // Under the ceiling (37,000.00) but above its own agreement price (35,000.00): refused in the room.
        await sp.getByTestId('auction-bid-feedback').evaluate((el) => delete (el as HTMLElement).dataset.result);
        await sp.getByTestId('auction-amount').fill('36000');
        await sp.getByTestId('auction-place-bid').click();
        await sp.locator('[data-testid=auction-bid-feedback][data-result="bid.rejected"]').waitFor();
        expect(await sp.getByTestId('auction-bid-feedback').textContent()).to.contain('入围价格');
      }
      await sp.getByTestId('auction-bid-feedback').evaluate((el) => delete (el as HTMLElement).dataset.result);
      await sp.getByTestId('auction-amount').fill(amounts[i]);
      await sp.getByTestId('auction-place-bid').click();
      await sp.locator('[data-testid=auction-bid-feedback][data-result="bid.accepted"]').waitFor();
    }
    await advance(11 * 60_000);
    for (let i = 0; i < 50 && (await s.tdb.db('procurement_projects').where({ id: pid }).first('stage')).stage !== 'award_notice'; i++) await advance(1000);
    const p = await s.tdb.db('procurement_projects').where({ id: pid }).first('stage', 'award_fen', 'awarded_supplier_id');
    expect(p).to.deep.include({ stage: 'award_notice', awarded_supplier_id: fresh[2].supplierId });
    expect(Number(p.award_fen)).to.equal(3_480_000);
  });
});
