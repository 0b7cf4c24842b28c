// In the browser: a purchaser raises a requisition against live budget availability and an
// approver approves it from the inbox, in the Chinese UI; the English switch translates the screens.
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { launchBrowser, loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';

const login = loginThroughPage;

describe(`browser: requisition and approval (${TEST_DIALECT})`, function () {
  this.timeout(90000);
  let s: TestServer;
  let browser: Browser;
  before(async () => ({ s, browser } = await startServerAndBrowser()));
  after(() => closeServerAndBrowser(s, browser));

  it('purchaser raises a requisition, approver approves it, both in Chinese; English switch works', async () => {
    const pctx = await browser.newContext();
    const page = await pctx.newPage();
    await login(page, s.url, 'purchaser');
    await page.locator('[data-nav="/requisitions"]').click();
    expect(await page.locator('h1').textContent()).to.equal('我的采购申请');
    await page.getByTestId('req-new').click();
    await page.getByTestId('req-availability').locator('div').first().waitFor();
    const available = Number(await page.getByTestId('req-availability').getAttribute('data-available-fen'));
    expect(await page.getByTestId('req-availability').textContent()).to.match(/^可用额度 ¥[\d,]+\.\d\d/);
    await page.getByTestId('req-title').fill('考试中心激光打印机采购');
    await page.getByTestId('item-category').selectOption('A02021003');
    await page.getByTestId('item-name').fill('激光打印机');
    await page.getByTestId('item-spec').fill('A4黑白，双面打印，网络接口');
    await page.getByTestId('item-qty').fill('2');
    await page.getByTestId('item-price').fill('3200.50');
    // The availability updates live as the amount changes: 2 × 3,200.50 = 6,401.00 yuan.
    expect(await page.getByTestId('req-after').textContent()).to.contain('本次申请 ¥6,401.00');
    await page.getByTestId('req-justification').fill('现有打印机使用已超过八年，故障频繁。');
    await page.getByTestId('req-files').setInputFiles({ name: '打印机报废鉴定.txt', mimeType: 'text/plain', buffer: Buffer.from('报废鉴定：8台打印机均已无法维修。') });
    await page.getByTestId('req-submit').click();
    await page.getByTestId('req-detail').locator('h1').waitFor();
    expect(await page.getByTestId('req-total').textContent()).to.equal('¥6,401.00');
    expect(await page.getByTestId('req-method').textContent()).to.equal('网上竞价');
    expect(await page.getByTestId('req-attachments').textContent()).to.contain('打印机报废鉴定.txt');
    expect(await page.locator('[data-testid=req-timeline] [data-step-status=pending]').textContent()).to.contain('单位负责人审批');
    const ref = (await page.getByTestId('req-detail').locator('h1').textContent())!.split(' · ')[0];
    const line = await s.tdb.db('budget_lines').where('frozen_fen', '>', 0).first();
    expect(Number(line.allocated_fen) - Number(line.frozen_fen) - Number(line.spent_fen)).to.equal(available - 640_100);

    const actx = await browser.newContext();
    const ap = await actx.newPage();
    await login(ap, s.url, 'approver');
    await ap.locator('[data-nav="/approvals"]').click();
    const card = ap.locator(`[data-testid=inbox-item][data-ref="${ref}"]`);
    await card.waitFor();
    expect(await card.textContent()).to.contain('考试中心激光打印机采购');
    await card.getByTestId('inbox-approve').click();
    await ap.getByTestId('inbox-flash').filter({ hasText: ref }).waitFor();
    expect(await ap.locator(`[data-testid=inbox-item][data-ref="${ref}"]`).count()).to.equal(0);
    await ap.getByTestId('lang-switch').click();
    expect(await ap.getByTestId('nav').locator('a').allTextContents()).to.include.members(['Requisitions', 'Approval inbox']);
    expect(await ap.locator('h1').textContent()).to.equal('Approval inbox');

    // The purchaser's timeline shows the approval and the next step waiting at finance review.
    await page.reload();
    await page.locator('[data-testid=req-timeline] [data-step-status=approved]').waitFor();
    expect(await page.locator('[data-testid=req-timeline] [data-step-status=approved]').textContent()).to.contain('同意');
    expect(await page.locator('[data-testid=req-timeline] [data-step-status=pending]').textContent()).to.contain('财政预算审核');
    await pctx.close();
    await actx.close();
  });

  it('shows the procurement centre desk with its deadlines and projects in both languages', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, s.url, 'operator');
    await page.locator('[data-nav="/procurement"]').click();
    await page.getByTestId('desk').waitFor();
    expect(await page.locator('h1').textContent()).to.equal('采购中心工作台');
    await page.getByTestId('lang-switch').click();
    expect(await page.locator('h1').textContent()).to.equal('Procurement centre desk');
    await ctx.close();
  });

  it('shows the finance bureau its payment requests and the delivery state of the messages to it', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, s.url, 'finance');
    await page.locator('[data-nav="/payments"]').click();
    await page.locator('[data-testid=finance-outbox] table').waitFor();
    expect(await page.locator('h1').textContent()).to.equal('支付申请');
    expect(await page.locator('h2').textContent()).to.equal('发往财政系统的消息');
    await ctx.close();
  });
});
