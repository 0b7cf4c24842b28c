// The bidder's screens in Chromium, in Chinese and in English: a price above the budget is told
// before sealing (not stopped), a replacement's receipt names the bid it replaced and "my bids"
// shows the old one as replaced at once, withdrawing asks first, the bid card shows every column
// at desktop width and wraps on a 390 px phone, and at the opening a mistyped passphrase is caught
// in the page (nothing sent), the attempts left are shown, and the right passphrase opens the bid.
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { sealBid, randomHex } from '../../client/src/views/tendering/sealing';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { ensureSupplierUsers } from '../../server/execution/tendering/demo-users';

const DAY = 86_400_000;

const TEXT = {
  'zh-CN': { overBudget: '高于本项目预算金额', sealAnyway: '仍按此报价加密并递交', replaced: '本回执替换了您', sealed: '已密封', replacedStatus: '已替换', withdrawn: '已撤回', withdrawAsk: '确定撤回', localWrong: '口令与您密封投标时使用的口令不符', attempts: (l: number, m: number) => `还可提交 ${l} 次（共 ${m} 次）`, decrypted: '解密成功' },
  en: { overBudget: 'above the budget', sealAnyway: 'Seal and submit at this price anyway', replaced: 'This receipt replaces the bid you submitted', sealed: 'Sealed', replacedStatus: 'Replaced', withdrawn: 'Withdrawn', withdrawAsk: 'Withdraw the bid submitted at', localWrong: 'not the one the bid was sealed with', attempts: (l: number, m: number) => `${l} of ${m} attempts left`, decrypted: 'Decrypted' },
} as const;

describe(`browser: the bidder's screens, in Chinese and English (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  const clock = new ManualClock(Date.UTC(2026, 2, 9, 1, 0, 0));
  let s: TestServer;
  let browser: Browser;
  let suppliers: Array<{ userId: number; supplierId: number; username: string }>;
  before(async () => {
    ({ s, browser } = await startServerAndBrowser({ clock }));
    suppliers = await withTx(s.tdb.db, (tx) => ensureSupplierUsers(tx, clock, 3));
  });
  after(() => closeServerAndBrowser(s, browser));

  /** A published goods tender with a budget of 2,000,000 yuan, and two other sealed bids. */
  async function tender(title: string) {
    const op = await s.as('operator');
    const tpl = TEMPLATES.goods;
    const deadline = new Date(clock.now().getTime() + 21 * DAY).toISOString();
    const category = (await s.tdb.db('catalogue_categories').where({ kind: 'goods' }).first('code')).code;
    const created = await op.post('/api/tenders', { title, kind: 'goods', categoryCode: category, budgetFen: 200_000_000, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: '测试', requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline, openingAt: deadline });
    const id = created.body.id as number;
    expect((await op.post(`/api/tenders/${id}/publish`)).status).to.equal(200);
    for (const sup of suppliers.slice(1)) {
      const sealed = sealBid({ tenderId: id, supplierId: sup.supplierId, priceFen: 150_000_000 + sup.supplierId, responses: { 'r-spec': 'ok' }, attachments: [] }, { keyHex: randomHex(32) });
      expect((await (await s.as(sup.username)).post(`/api/tenders/${id}/bids`, { envelope: sealed.envelope, digest: sealed.digest })).status).to.equal(201);
    }
    return { id, deadline: new Date(deadline).getTime() };
  }

  const statuses = (page: Page) => page.locator('[data-testid=tender-my-bids] [data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
  /** Every cell of "my bids" inside the card and the viewport: nothing clipped or scrolled away. */
  const fits = (page: Page) =>
    page.evaluate(() => {
      const wrap = document.querySelector('[data-testid=tender-my-bids]')!.parentElement!;
      const card = document.querySelector('[data-testid=tender-bid-form]')!.getBoundingClientRect();
      const cells = [...document.querySelectorAll('[data-testid=tender-my-bids] td, [data-testid=tender-my-bids] th')].map((c) => c.getBoundingClientRect());
      return { scrolls: wrap.scrollWidth > wrap.clientWidth + 1, outside: cells.filter((r) => r.right > Math.min(card.right, window.innerWidth) + 1).length, cardWidth: card.width, pageScrolls: document.documentElement.scrollWidth > window.innerWidth + 1 };
    });

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`warns above the budget, names the replaced bid, asks before withdrawing, fits desktop and phone, and lets a mistyped passphrase be corrected (${locale})`, async () => {
      const T = TEXT[locale];
      const { id, deadline } = await tender(locale === 'en' ? 'Bidder screens (English)' : '投标人页面测试');
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      await ctx.addInitScript((l) => localStorage.setItem('locale', l), locale);
      const page = await ctx.newPage();
      const bidPosts: string[] = [];
      const keyPosts: string[] = [];
      page.on('request', (r) => {
        if (r.method() !== 'POST') return;
        if (r.url().endsWith(`/api/tenders/${id}/bids`)) bidPosts.push(r.url());
        if (r.url().endsWith(`/api/tenders/${id}/opening/key`)) keyPosts.push(r.url());
      });
      await loginThroughPage(page, s.url, 'supplier');
      await page.goto(`${s.url}/tenders/${id}`);
      await page.getByTestId('tender-bid-form').waitFor();
      // A marker that a page load would lose: everything below happens in place.
      await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

      // 1. Above the budget: told as the price is typed, once more at the button, then sealed as asked.
      await page.getByTestId('tender-bid-price').fill('2,500,000');
      await page.getByTestId('tender-bid-over-budget').waitFor();
      const warning = await page.getByTestId('tender-bid-over-budget').textContent();
      expect(warning).to.include(T.overBudget);
      expect(warning).to.include('2,500,000.00');
      expect(warning).to.include('2,000,000.00');
      await page.getByTestId('tender-bid-response-r-spec').fill('满足');
      await page.getByTestId('tender-bid-submit').click();
      await page.getByTestId('tender-bid-submit').getByText(T.sealAnyway).waitFor();
      expect(bidPosts).to.have.length(0);
      await page.getByTestId('tender-bid-submit').click();
      await page.getByTestId('tender-receipt').waitFor();
      expect(bidPosts).to.have.length(1);
      const firstReceipt = (await page.getByTestId('tender-receipt-no').textContent())!;
      const firstDigest = (await page.getByTestId('tender-receipt-digest').textContent())!;
      expect(await page.getByTestId('tender-receipt-replaced').count()).to.equal(0);
      await page.locator('[data-testid=tender-my-bids] tbody tr').first().waitFor();
      expect(await statuses(page)).to.deep.equal(['sealed']);
      // The price within the budget: no warning.
      await page.getByTestId('tender-bid-price').fill('1,800,000');
      expect(await page.getByTestId('tender-bid-over-budget').isHidden()).to.equal(true);

      // 2. A replacement: the receipt names the earlier bid; "my bids" shows it replaced at once.
      await page.getByTestId('tender-bid-submit').click();
      await page.getByTestId('tender-receipt-replaced').waitFor();
      const replaced = (await page.getByTestId('tender-receipt-replaced').textContent())!;
      expect(replaced).to.include(T.replaced);
      expect(replaced).to.include(firstReceipt);
      expect(replaced).to.include(firstDigest);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=tender-my-bids] tbody tr').length === 2);
      expect(await statuses(page)).to.deep.equal(['sealed', 'replaced']);
      const table = (await page.getByTestId('tender-my-bids').textContent())!;
      expect(table).to.include(T.sealed);
      expect(table).to.include(T.replacedStatus);
      // Desktop: the card is wide and every column shows.
      const desk = await fits(page);
      expect(desk.cardWidth).to.be.greaterThan(700);
      expect([desk.scrolls, desk.outside, desk.pageScrolls]).to.deep.equal([false, 0, false]);

      // 3. Withdrawing asks first; "Keep it" keeps the bid; confirming withdraws it in place.
      await page.getByTestId('tender-bid-withdraw').click();
      await page.getByTestId('tender-bid-withdraw-confirm-box').waitFor();
      expect(await page.getByTestId('tender-bid-withdraw-confirm-box').textContent()).to.include(T.withdrawAsk);
      await page.getByTestId('tender-bid-withdraw-cancel').click();
      expect(await page.getByTestId('tender-bid-withdraw-confirm-box').isHidden()).to.equal(true);
      expect((await s.tdb.db('tender_bids').where({ tender_id: id, status: 'sealed' }).count({ n: '*' }).first())!.n).to.satisfy((n: unknown) => Number(n) === 3);
      await page.getByTestId('tender-bid-withdraw').click();
      await page.getByTestId('tender-bid-withdraw-confirm').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=tender-my-bids] tbody tr [data-status]')?.getAttribute('data-status') === 'withdrawn');
      expect(await statuses(page)).to.deep.equal(['withdrawn', 'replaced']);
      expect(await page.getByTestId('tender-my-bids').textContent()).to.include(T.withdrawn);
      expect(await page.getByTestId('tender-bid-withdraw').count()).to.equal(0);

      // 4. The final bid, sealed under a passphrase.
      await page.getByTestId('tender-bid-price').fill('1,234,567.89');
      await page.getByTestId('tender-keymode-pass').check();
      await page.getByTestId('tender-bid-pass').fill('Correct-Passphrase-2026');
      await page.getByTestId('tender-bid-pass2').fill('Correct-Passphrase-2026');
      await page.getByTestId('tender-bid-submit').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=tender-my-bids] tbody tr').length === 3);
      expect(await statuses(page)).to.deep.equal(['sealed', 'withdrawn', 'replaced']);
      expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).to.equal(true);

      // 5. On a 390 px phone the table wraps: the status column stays on screen.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.reload();
      await page.locator('[data-testid=tender-my-bids] tbody tr').first().waitFor();
      const phone = await fits(page);
      const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map((e) => `${e.tagName} ${(e.textContent ?? '').slice(0, 40)}`));
      expect([phone.scrolls, phone.outside, phone.pageScrolls], wide.join(' | ')).to.deep.equal([false, 0, false]);
      await page.setViewportSize({ width: 1280, height: 900 });

      // 6. The opening. An earlier wrong key from another tool used one attempt (refused, still sealed).
      clock.set(deadline);
      await s.platform.scheduler.runDue();
      const api = await s.as('supplier');
      expect((await api.post(`/api/tenders/${id}/opening/key`, { key: randomHex(32) })).body.error.code).to.equal('WRONG_KEY');
      await loginThroughPage(page, s.url, 'supplier');
      await page.goto(`${s.url}/tenders/${id}`);
      await page.getByTestId('tender-decrypt').waitFor();
      expect(await page.getByTestId('tender-decrypt-attempts').textContent()).to.include(T.attempts(4, 5));
      // Mistyped: caught here, nothing sent, no attempt used.
      await page.getByTestId('tender-decrypt-pass').fill('Correct-Passphrase-2062');
      await page.getByTestId('tender-decrypt-submit').click();
      await page.locator('[data-testid=tender-decrypt-message][data-kind=warning]').waitFor();
      expect(await page.getByTestId('tender-decrypt-message').textContent()).to.include(T.localWrong);
      expect(keyPosts).to.have.length(0);
      expect((await s.tdb.db('tender_bids').where({ tender_id: id, status: 'sealed' }).whereNotNull('key_attempts').where('key_attempts', 1).count({ n: '*' }).first())!.n).to.satisfy((n: unknown) => Number(n) === 1);
      // Corrected within the window: the bid opens.
      await page.getByTestId('tender-decrypt-pass').fill('Correct-Passphrase-2026');
      await page.getByTestId('tender-decrypt-submit').click();
      await page.locator('[data-testid=tender-decrypt-result][data-status=decrypted]').waitFor();
      expect(keyPosts).to.have.length(1);
      expect(await page.getByTestId('tender-decrypt-result').textContent()).to.include(T.decrypted);
      const row = await s.tdb.db('tender_bids').where({ tender_id: id, supplier_id: suppliers[0].supplierId, status: 'decrypted' }).first();
      expect(row).to.include({ key_attempts: 1 });
      expect(await s.tdb.db('audit_events').where({ action: 'bid.key_rejected', entity_id: String(id) }).count({ n: '*' }).first().then((r: any) => Number(r.n))).to.equal(1);
      expect(await s.tdb.db('audit_events').where({ action: 'bid.decrypted', entity_id: String(id) }).where('after_json', 'like', '%"attempt":2%').count({ n: '*' }).first().then((r: any) => Number(r.n))).to.equal(1);
      await ctx.close();
      // The window closes for the others (keeps the next tender's clock clean).
      clock.set(deadline + 31 * 60_000);
      await s.platform.scheduler.runDue();
    });
  }
});
