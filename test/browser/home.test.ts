import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { urgentFirst } from '../../client/src/views/home/order';

interface Item { key: string; role: string; count: number; href: string; dueAt?: string | null; overdue?: number; severity?: string }

const ROLES = ['purchaser', 'approver', 'operator', 'supplier', 'expert', 'finance', 'supervisor', 'admin'];
/** Latin text a Chinese page may show: the switch to the English interface. */
const ALLOWED_LATIN = ['English'];

/** The Beijing wall-clock time of an instant, as the page must show it (never the UTC text). */
const beijingClock = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(11, 19);

async function openHome(page: Page): Promise<Item[]> {
  await page.locator('[data-testid=home-work][data-state=ready]').waitFor();
  return (await page.evaluate(() => fetch('/api/home').then((r) => r.json()))).items as Item[];
}

/** What the page shows for each kind of work, read from the DOM. */
async function shownItems(page: Page) {
  return page.locator('[data-testid=home-list] [data-testid=home-item]').evaluateAll((lis) =>
    lis.map((li) => ({
      key: li.getAttribute('data-key')!,
      count: Number(li.querySelector('[data-testid=home-count]')!.textContent),
      href: li.querySelector('a')!.getAttribute('href')!,
      label: li.querySelector('.home-label')!.textContent!,
      due: li.querySelector('[data-testid=home-due]')?.textContent ?? null,
      overdue: li.querySelector('[data-testid=home-overdue]')?.textContent ?? null,
      late: li.classList.contains('home-late'),
    })),
  );
}

describe(`browser: the home screen is each role's to-do list (${TEST_DIALECT})`, function () {
  this.timeout(240_000);
  let s: TestServer;
  let browser: Browser;
  before(async () => ({ s, browser } = await startServerAndBrowser({ seed: 'demo' })));
  after(() => closeServerAndBrowser(s, browser));

  for (const role of ROLES) {
    it(`${role}: the work with counts, time limits in Beijing time, overdue marked and links, in Chinese then English`, async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      await loginThroughPage(page, s.url, role);
      expect(new URL(page.url()).pathname).to.equal('/');
      const items = await openHome(page);
      const waiting = urgentFirst(items.filter((i) => i.count > 0));
      expect(waiting.length, role).to.be.greaterThan(0);
      expect(await page.locator('[data-testid=home] h1').textContent()).to.equal('我的待办');
      expect(await page.getByTestId('home-empty').count()).to.equal(0);

      const shown = await shownItems(page);
      expect(shown.map((x) => [x.key, x.count, x.href]), role).to.deep.equal(waiting.map((i) => [i.key, i.count, i.href]));
      for (const [n, i] of waiting.entries()) {
        const row = shown[n];
        expect(row.label, i.key).to.match(/[\u4e00-\u9fff]/);
        if (i.dueAt) {
          expect(row.due, i.key).to.include(beijingClock(i.dueAt));
          expect(row.due, i.key).to.not.match(/\d{4}-\d\d-\d\dT|Z\b|UTC/);
        } else expect(row.due, i.key).to.equal(null);
        expect(row.late, i.key).to.equal((i.overdue ?? 0) > 0);
        if ((i.overdue ?? 0) > 0) expect(row.overdue).to.equal(`已超期 ${i.overdue} 项`);
      }
      // Kinds of work with nothing waiting are listed as done, not hidden.
      const none = items.filter((i) => i.count === 0).map((i) => i.key);
      expect(await page.locator('[data-testid=home-done] [data-testid=home-item]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-key')))).to.deep.equal(none);

      // No English, no raw keys and no UTC text in the Chinese interface.
      const text = (await page.locator('body').innerText()).replace(new RegExp(`\\b(${ALLOWED_LATIN.join('|')})\\b`, 'g'), '');
      expect(text.match(/[A-Za-z]{2,}/g), `${role}: Latin words on the zh-CN home page`).to.equal(null);
      expect(text).to.not.match(/\b[a-z]+(_[a-z]+)+\b|\d{4}-\d\d-\d\dT\d\d/);
      await page.screenshot({ path: `/tmp/home-${role}-zh-CN.png`, fullPage: true });

      await page.getByTestId('lang-switch').click();
      await page.locator('[data-testid=home] h1', { hasText: 'My work' }).waitFor();
      await page.locator('[data-testid=home-work][data-state=ready]').waitFor();
      const en = await shownItems(page);
      expect(en.map((x) => [x.key, x.count])).to.deep.equal(waiting.map((i) => [i.key, i.count]));
      for (const row of en) {
        expect(row.label, row.key).to.match(/^[A-Z][\x20-\x7e]+$/);
        if (row.overdue) expect(row.overdue).to.match(/^\d+ overdue$/);
      }
      await page.screenshot({ path: `/tmp/home-${role}-en.png`, fullPage: true });

      // The first link opens the page where that work is done.
      await page.locator('[data-testid=home-list] [data-testid=home-link]').first().click();
      await page.waitForURL((u) => u.pathname + u.search === waiting[0].href);
      await page.locator('main.content h1').first().waitFor();
      expect(await page.locator('main.content').innerText()).to.not.match(/Page not found|页面不存在/);
      await ctx.close();
    });
  }

  it('an account with nothing to do sees the empty state, and the approver sees its step by its time limit', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'purchaser2');
    const items = await openHome(page);
    expect(items.filter((i) => i.count > 0), "purchaser2 has nothing to do").to.deep.equal([]);
    expect(await page.getByTestId('home-empty').textContent()).to.equal('目前没有等待您处理的事项。');
    expect(await page.locator('[data-testid=home-list]').count()).to.equal(0);
    expect(await page.getByTestId('server-time').textContent()).to.match(/^服务器时间：\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d:\d\d$/);
    await page.screenshot({ path: '/tmp/home-purchaser2-zh-CN.png', fullPage: true });
    await ctx.close();

    // The overdue unit-head step at No. 1 Middle School: marked, and one click away.
    const c2 = await browser.newContext();
    const p2 = await c2.newPage();
    await loginThroughPage(p2, s.url, 'approver2');
    const [step] = (await openHome(p2)).filter((i) => i.key === 'approver.approvals');
    expect(step).to.include({ count: 1, overdue: 1 });
    const row = p2.locator('[data-key="approver.approvals"]');
    expect(await row.getAttribute('class')).to.include('home-late');
    expect(await row.getByTestId('home-overdue').textContent()).to.equal('已超期 1 项');
    await row.getByTestId('home-link').click();
    await p2.waitForURL((u) => u.pathname === step.href);
    await p2.locator('main.content h1').first().waitFor();
    await c2.close();
  });
});
