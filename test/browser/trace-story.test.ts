// The trace as a supervisor reads it, in Chinese and English: found by the tender number typed in
// the search box, told as sentences with the bidders' names, yuan and China times, the raw event
// one click away; an unknown number says "not found" instead of a green "0 events verified".
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';

/** Latin words a Chinese trace may show: references and codes carry digits (ZB2026-00006, an IP, a hash); these are the rest. */
const LATIN_OK = new Set(['IP', 'CSV', 'JSON', 'OCDS', 'CNY']);
const latinWords = (text: string) => [...text.matchAll(/[A-Za-z][A-Za-z0-9_.\-]*/g)].map((m) => m[0].replace(/[.\-_]+$/, '')).filter((w) => !/\d/.test(w) && w.length > 1 && !LATIN_OK.has(w));

const TEXT = {
  'zh-CN': { viewed: '查阅了', submitted: '递交密封投标', published: '发布招标公告', notFound: '未找到编号为', raw: '原始记录', role: /\b(supplier|operator|purchaser|supervisor|system)\b/ },
  en: { viewed: 'opened the bid of', submitted: 'submitted a sealed bid', published: 'published the tender notice', notFound: 'Nothing is known by', raw: 'Raw event', role: /\(supplier\)|\(operator\)|system:/ },
} as const;

describe(`browser: a supervisor reads a tender's trace as a story (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  let s: TestServer;
  let browser: Browser;
  before(async () => ({ s, browser } = await startServerAndBrowser({ seed: 'demo' })));
  after(() => closeServerAndBrowser(s, browser));

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`finds the awarded tender by its number and tells it in ${locale}`, async () => {
      const T = TEXT[locale];
      const tender = await s.tdb.db('tenders').where({ status: 'awarded' }).first('id', 'reference', 'budget_fen');
      const bidders: string[] = (await s.tdb.db('tender_bids as b').join('suppliers as s', 's.id', 'b.supplier_id').where('b.tender_id', tender.id).distinct('s.name')).map((r: { name: string }) => r.name);
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await ctx.addInitScript((l) => localStorage.setItem('locale', l), locale);
      const page = await ctx.newPage();
      await loginThroughPage(page, s.url, 'supervisor');
      await page.goto(`${s.url}/supervision/trace`);
      // An unknown number: said plainly, no verification badge.
      await page.getByTestId('trace-id').fill('ZB2099-99999');
      await page.getByTestId('trace-submit').click();
      await page.getByTestId('trace-not-found').waitFor();
      expect(await page.getByTestId('trace-not-found').textContent()).to.include(T.notFound);
      expect(await page.getByTestId('trace-badge').count()).to.equal(0);
      // The tender's number as people write it, in lower case even; the kind is found from it.
      await page.getByTestId('trace-id').fill(tender.reference.toLowerCase());
      await page.getByTestId('trace-submit').click();
      await page.locator('[data-testid=trace-badge].ok').waitFor();
      expect(await page.getByTestId('trace-subject').textContent()).to.include(tender.reference);
      const sentences = await page.getByTestId('trace-sentence').allTextContents();
      expect(sentences.length).to.be.greaterThan(20);
      const submitted = sentences.filter((x) => x.includes(T.submitted));
      expect(submitted.length).to.be.at.least(3);
      for (const x of submitted) expect(bidders.some((b) => x.includes(b)), x).to.equal(true);
      // The committee's reading of each bid names the bidder (the event names the bid).
      const viewed = sentences.filter((x) => x.includes(T.viewed));
      expect(viewed.length).to.be.at.least(3);
      for (const x of viewed) expect(bidders.some((b) => x.includes(b)), x).to.equal(true);
      const published = sentences.find((x) => x.includes(T.published))!;
      expect(published).to.include(tender.reference);
      expect(published).to.include((Number(tender.budget_fen) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 }));
      const visible = await page.locator('main').innerText();
      expect(visible).to.not.match(/tender #\d|#\d+ /);
      expect(visible).to.not.match(/\b(bid|tender|auth)\.[a-z_.]+\b/); // no raw action key
      expect(visible).to.not.match(T.role);
      expect(visible).to.not.match(/\d{4}-\d\d-\d\dT\d\d:\d\d/); // no UTC text
      if (locale === 'zh-CN') expect(latinWords(visible)).to.deep.equal([]);
      // The raw event is one click away.
      const raw = page.getByTestId('trace-raw').first();
      expect(await raw.isVisible()).to.equal(false);
      await page.getByTestId('trace-raw-toggle').first().click();
      await raw.waitFor();
      expect(await page.getByTestId('trace-raw-toggle').first().textContent()).to.equal(T.raw);
      expect(JSON.parse((await raw.textContent())!)).to.include.keys('action', 'after', 'hash');
      await ctx.close();
    });
  }
});
