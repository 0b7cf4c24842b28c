import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock, fromDbTime } from '../../server/db/time';
import { noticeTime } from '../../server/core/notices/notice-time';
import { yuanText } from '../../server/execution/tendering/documents/file';

// Electronic tendering as its users meet it, on the demo city, in Chinese and in English: the
// public reads the notices (bidders named, amounts in yuan, Beijing time, reasons in words), a
// bidder reads the opening record with every bidder's name, a committee member reads the
// bidder's explanation before ruling on an abnormally low price and gets server errors in the
// page's language, and the purchaser reads the ranking and the report and confirms the award
// in an explicit step naming the supplier and the amount.

type Lang = 'zh-CN' | 'en';
const LANGS: Lang[] = ['zh-CN', 'en'];
const UGLY = /\bnull\b|\bundefined\b|NaN|\d{4}-\d\d-\d\dT\d\d|\bUTC\b|[A-Z]{2,}_[A-Z_]+/;

describe(`browser: e-tendering as the public, a bidder, an expert and the purchaser meet it (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  // A Tuesday morning in Beijing; the demo city is told on a clock set back from it.
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 2, 0, 0));
  let s: TestServer;
  let browser: Browser;
  const db = () => s.tdb.db;
  // Public tenders only: an invitational tender open for bids is read by its invited suppliers alone.
  const tenderIn = async (status: string, extra: Record<string, unknown> = {}) => (await db()('tenders').where({ status, ...extra }).whereNotExists(db()('procurement_projects as pp').whereRaw('pp.id = tenders.project_id').where('pp.method', 'invitational_tender')).orderBy('id').first()) as { id: number; reference: string; title: string; award_amount_fen: number | string | null; awarded_bid_id: number | null; challenge_ends_at: string | null };
  const nameOfBid = async (bidId: number) => (await db()('tender_bids as b').join('suppliers as s', 's.id', 'b.supplier_id').where('b.id', bidId).first('s.name')).name as string;
  const bidderNames = async (tenderId: number) => (await db()('tender_bids as b').join('suppliers as s', 's.id', 'b.supplier_id').where('b.tender_id', tenderId).whereIn('b.status', ['sealed', 'decrypted', 'invalid', 'disqualified']).orderBy('b.id').pluck('s.name')) as string[];

  before(async () => ({ s, browser } = await startServerAndBrowser({ clock, seed: 'demo' })));
  after(() => closeServerAndBrowser(s, browser));

  async function context(lang: Lang): Promise<BrowserContext> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    if (lang === 'en') await ctx.addInitScript(() => localStorage.setItem('locale', 'en'));
    return ctx;
  }
  async function signedIn(lang: Lang, username: string): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await context(lang);
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    await loginThroughPage(page, s.url, username);
    return { ctx, page };
  }
  const textOf = async (page: Page, testId: string) => (await page.getByTestId(testId).innerText()).trim();

  for (const lang of LANGS) {
    it(`the public (${lang}): award, opening-record and tender notices read as legal texts`, async () => {
      const awarded = await tenderIn('awarded');
      const winner = await nameOfBid(awarded.awarded_bid_id!);
      const amount = yuanText(Number(awarded.award_amount_fen));
      const ends = fromDbTime(awarded.challenge_ends_at)!;
      // The challenge period ends at the end of its last working day in Beijing.
      expect(noticeTime(ends, 'zh', { seconds: true })).to.match(/ 23:59:59（北京时间）$/);
      const noticeId = async (kind: string, sourceType: string, sourceId: number) => Number((await db()('notices').where({ kind, source_type: sourceType, source_id: String(sourceId) }).orderBy('id', 'desc').first('id')).id);
      const ctx = await context(lang);
      const page = await ctx.newPage();
      page.setDefaultTimeout(30_000);
      const read = async (id: number) => {
        await page.goto(`${s.url}/portal/notices/${id}`);
        await page.getByTestId('portal-notice').locator('.notice-body').waitFor();
        return page.getByTestId('portal-notice').innerText();
      };

      const award = await read(await noticeId('award', 'tender', awarded.id));
      if (lang === 'zh-CN') {
        expect(award).to.include(`中标供应商：${winner}`).and.include(`中标金额：${amount} 元`).and.include(`质疑截止时间：${noticeTime(ends, 'zh', { seconds: true })}`);
        expect(award).to.include('评标委员会成员：');
      } else {
        expect(award).to.include(`Awarded to: ${winner}`).and.include(`Award amount: CNY ${amount}`).and.include(`Challenges close: ${noticeTime(ends, 'en', { seconds: true })}`);
      }
      expect(award).to.not.match(UGLY);

      // Every bidder of the awarded tender is named in its opening record, with its price in yuan.
      const opening = await read(await noticeId('other', 'tender_opening', awarded.id));
      for (const name of await bidderNames(awarded.id)) expect(opening).to.include(name);
      expect(opening).to.match(lang === 'zh-CN' ? /投标报价 \d{1,3}(,\d{3})+\.\d\d 元/ : /CNY \d{1,3}(,\d{3})+\.\d\d/);
      expect(opening).to.not.match(UGLY);
      // A bid never opened (its bidder brought a wrong key file, twice) is a reason in words.
      const failed = await tenderIn('failed', { failure_reason: 'TOO_FEW_VALID_BIDS' });
      const wrongKey = await read(await noticeId('other', 'tender_opening', failed.id));
      expect(wrongKey).to.include(lang === 'zh-CN' ? '无效投标（解密时间内未递交能解密投标文件的密钥）' : 'invalid (no key that opens the bid was handed in within the decryption window)');
      expect(wrongKey).to.not.match(UGLY);

      // The tender notice gives its dates in Beijing time.
      const open = await tenderIn('published');
      const tender = await read(await noticeId('tender', 'tender', open.id));
      expect(tender).to.include(lang === 'zh-CN' ? '（北京时间）' : '(Beijing time)');
      expect(tender).to.not.match(UGLY);
      await ctx.close();
    });

    it(`a bidder (${lang}): the opening record and the results name every bidder; a tender open for bids names none`, async () => {
      const awarded = await tenderIn('awarded');
      const { ctx, page } = await signedIn(lang, 'supplier');
      await page.goto(`${s.url}/tenders/${awarded.id}`);
      await page.getByTestId('tender-opening-record').waitFor();
      const record = await textOf(page, 'tender-opening-record');
      const results = await textOf(page, 'tender-results');
      for (const name of await bidderNames(awarded.id)) {
        expect(record).to.include(name);
        expect(results).to.include(name);
      }
      const winner = await nameOfBid(awarded.awarded_bid_id!);
      expect(await textOf(page, 'tender-awarded')).to.include(winner).and.match(lang === 'zh-CN' ? /^中标人：.+，中标金额 ¥[\d,]+\.\d\d；质疑期至 / : /^Awarded to .+ for CN¥[\d,]+\.\d\d; challenges until /);
      // The evaluated price column explains a small business's full price marks.
      expect(await page.getByTestId('tender-results').locator('th').allInnerTexts()).to.include(lang === 'zh-CN' ? '评标价' : 'Evaluated price');

      // Before its opening nobody but each bidder itself learns who bid: the page and every answer about it.
      const open = await tenderIn('published');
      const answers: string[] = [];
      page.on('response', async (r) => {
        if (r.url().includes(`/api/tenders/${open.id}`) || r.url().includes(`/api/portal/tenders`)) answers.push(await r.text().catch(() => ''));
      });
      await page.goto(`${s.url}/tenders/${open.id}`);
      await page.getByTestId('tender-bid-form').waitFor();
      const me = (await db()('users').where({ username: 'supplier' }).first('supplier_id')).supplier_id;
      const others = (await db()('tender_bids as b').join('suppliers as s', 's.id', 'b.supplier_id').where('b.tender_id', open.id).whereNot('b.supplier_id', me).pluck('s.name')) as string[];
      expect(others.length).to.be.at.least(2);
      const shown = (await page.locator('body').innerText()) + answers.join('\n');
      for (const name of others) expect(shown).to.not.include(name);
      await ctx.close();
    });

    it(`an expert (${lang}): bid headings name the bidders, the explanation comes before the ruling, errors read in the page's language`, async () => {
      const evaluating = await tenderIn('evaluation');
      const { ctx, page } = await signedIn(lang, 'expert');
      await page.goto(`${s.url}/tenders/${evaluating.id}`);
      const panel = page.getByTestId('tender-evaluation');
      await panel.locator('[data-testid^=tender-eval-bid-]').first().waitFor();
      const headings = await panel.locator('[data-testid^=tender-eval-bid-] h3').allInnerTexts();
      const names = await bidderNames(evaluating.id);
      for (const [i, h] of headings.entries()) {
        expect(h).to.not.match(/null|undefined/);
        expect(names.some((n) => h.startsWith(n)), h).to.equal(true);
        expect(h, `heading ${i}`).to.match(/¥[\d,]+\.\d\d/);
      }
      // The abnormally low price: the bidder's explanation, then the buttons.
      const flagged = await db()('tender_bids').where({ tender_id: evaluating.id, abnormal_status: 'explained' }).first('id', 'abnormal_explanation');
      const question = page.getByTestId(`tender-abnormal-${flagged.id}`);
      await question.waitFor();
      expect(await question.getByTestId(`tender-explanation-${flagged.id}`).innerText()).to.equal(flagged.abnormal_explanation);
      expect(await question.innerText()).to.include(lang === 'zh-CN' ? '的书面说明：' : 'Written explanation from');
      const order = await question.evaluate((el, id) => {
        const q = el.querySelector(`[data-testid=tender-explanation-${id}]`)!;
        const accept = el.querySelector(`[data-testid=tender-accept-${id}]`)!;
        return Boolean(q.compareDocumentPosition(accept) & Node.DOCUMENT_POSITION_FOLLOWING);
      }, flagged.id);
      expect(order, 'explanation before the accept button').to.equal(true);

      // A score above the criterion's points: the server's refusal in the page's words, without its code.
      const bidId = Number((await panel.locator('[data-testid^=tender-eval-bid-]').first().getAttribute('data-testid'))!.replace('tender-eval-bid-', ''));
      await page.getByTestId(`tender-score-${bidId}-plan`).fill('50');
      await page.getByTestId(`tender-save-${bidId}`).click();
      const err = page.getByTestId(`tender-save-${bidId}-error`);
      await err.filter({ hasText: /\S/ }).waitFor();
      expect(await err.innerText()).to.equal(lang === 'zh-CN' ? '操作失败：该项评分应在 0 至 45 分之间' : 'Failed: This score must be between 0 and 45 points');
      // Submitting with bids unscored: how many are missing, in words.
      await page.getByTestId('tender-eval-submit').click();
      const submitErr = page.getByTestId('tender-eval-submit-error');
      await submitErr.filter({ hasText: /\S/ }).waitFor();
      const submitText = await submitErr.innerText();
      expect(submitText).to.match(lang === 'zh-CN' ? /^操作失败：还有 \d 份投标未完成/ : /^Failed: \d bid\(s\) still lack/);
      expect(submitText + (await err.innerText())).to.not.match(/[A-Z]{2,}_[A-Z]|Invalid request|between 0 and \d+ points \(/);
      if (lang === 'zh-CN') expect(submitText).to.not.match(/[A-Za-z]{3,}/);

      // The report the expert confirms has the evaluated price and the scores by kind.
      const confirming = await tenderIn('report_confirmation');
      await page.goto(`${s.url}/tenders/${confirming.id}`);
      await page.getByTestId('tender-report').waitFor();
      const heads = await page.getByTestId('tender-report').locator('th').allInnerTexts();
      expect(heads).to.include.members(lang === 'zh-CN' ? ['评标价', '价格分', '技术分', '商务分', '总分', '有效性'] : ['Evaluated price', 'Price score', 'Technical score', 'Business score', 'Total', 'Validity']);
      const report = await textOf(page, 'tender-report');
      for (const name of await bidderNames(confirming.id)) expect(report).to.include(name);
      expect(report).to.not.match(UGLY);
      await ctx.close();
    });
  }

  // The purchaser's award changes the tender: English looks and cancels first, Chinese awards.
  it('the purchaser (en): reads the ranking and the report; the award asks first, naming the supplier and the amount; Cancel sends nothing', async () => {
    const t = await tenderIn('evaluated');
    const { ctx, page } = await signedIn('en', 'purchaser');
    await page.goto(`${s.url}/tenders/${t.id}`);
    await page.getByTestId('tender-award-ranking').waitFor();
    const ranking = await textOf(page, 'tender-award-ranking');
    for (const name of await bidderNames(t.id)) expect(ranking).to.include(name);
    expect(ranking).to.include('valid · recommended').and.not.match(UGLY);
    expect(await page.getByTestId('tender-award-ranking').locator('th').allInnerTexts()).to.deep.equal(['Rank', 'Bidder', 'Bid price', 'Evaluated price', 'Price score', 'Technical score', 'Business score', 'Total', 'Validity']);
    const committee = (await db()('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').where('c.tender_id', t.id).pluck('e.name')) as string[];
    const facts = await textOf(page, 'tender-report-facts');
    for (const n of committee) expect(facts).to.include(n);
    const first = await db()('tender_bids').where({ tender_id: t.id, bid_rank: 1 }).first('id', 'price_fen');
    const firstName = await nameOfBid(first.id);
    const posts: string[] = [];
    page.on('request', (r) => void (r.method() === 'POST' && r.url().endsWith(`/api/tenders/${t.id}/award`) && posts.push(r.url())));
    await page.getByTestId('tender-award').click();
    await page.getByTestId('tender-award-confirm').waitFor();
    expect(await textOf(page, 'tender-award-confirm-text')).to.equal(`Award the contract to ${firstName} (ranked 1) for CN¥${yuanText(Number(first.price_fen))}?`);
    await page.getByTestId('tender-award-confirm-no').click();
    await page.getByTestId('tender-award-confirm').waitFor({ state: 'hidden' });
    // The second candidate needs a reason: the page says so before anything is sent.
    await page.getByTestId('tender-award-candidate-2').check();
    await page.getByTestId('tender-award').click();
    expect(await textOf(page, 'tender-award-error')).to.equal('Awarding a candidate other than the first needs a reason (e.g. the first candidate declined)');
    expect(posts).to.deep.equal([]);
    expect((await db()('tenders').where({ id: t.id }).first('status')).status).to.equal('evaluated');
    await ctx.close();
  });

  it('the purchaser (zh-CN): confirms the first candidate in the dialog; the page then names the winner and the amount, in both languages', async () => {
    const t = await tenderIn('evaluated');
    const first = await db()('tender_bids').where({ tender_id: t.id, bid_rank: 1 }).first('id', 'price_fen');
    const firstName = await nameOfBid(first.id);
    const { ctx, page } = await signedIn('zh-CN', 'purchaser');
    await page.goto(`${s.url}/tenders/${t.id}`);
    await page.getByTestId('tender-award-ranking').waitFor();
    expect(await page.getByTestId('tender-award-ranking').locator('th').allInnerTexts()).to.deep.equal(['排名', '投标人', '投标报价', '评标价', '价格分', '技术分', '商务分', '总分', '有效性']);
    await page.getByTestId('tender-award').click();
    expect(await textOf(page, 'tender-award-confirm-text')).to.equal(`确定 ${firstName}（第 1 名）为中标人，中标金额 ¥${yuanText(Number(first.price_fen))}？`);
    await page.getByTestId('tender-award-confirm-yes').click();
    await page.locator('[data-testid=tender-detail][data-status=awarded]').waitFor();
    const summary = await textOf(page, 'tender-awarded');
    expect(summary).to.match(new RegExp(`^中标人：${firstName}，中标金额 ¥${yuanText(Number(first.price_fen)).replace(/\./g, '\\.')}；质疑期至 `));
    const row = await db()('tenders').where({ id: t.id }).first('status', 'awarded_bid_id', 'challenge_ends_at');
    expect([row.status, Number(row.awarded_bid_id)]).to.deep.equal(['awarded', Number(first.id)]);
    // Stored in UTC, ending at 23:59:59.999 in Beijing.
    expect(fromDbTime(row.challenge_ends_at)!.toISOString()).to.match(/T15:59:59\.999Z$/);
    expect(summary).to.include('23:59:59');
    await ctx.close();

    const en = await signedIn('en', 'purchaser');
    await en.page.goto(`${s.url}/tenders/${t.id}`);
    await en.page.getByTestId('tender-awarded').waitFor();
    expect(await textOf(en.page, 'tender-awarded')).to.match(new RegExp(`^Awarded to ${firstName} for CN¥${yuanText(Number(first.price_fen)).replace(/\./g, '\\.')}; challenges until .*11:59:59`));
    await en.ctx.close();
  });
});
