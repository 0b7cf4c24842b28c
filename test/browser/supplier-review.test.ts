// The operator's supplier review (issue 13): categories by name, the registered capital shown
// as money, and a rejection (or a request for more) that asks for its reason in the form before
// anything is sent; each decision answers with a confirmation and the new state.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { withCheckChar } from '../../server/execution/suppliers/credit-code';

describe(`browser: the operator reviews a supplier's registration (${TEST_DIALECT})`, function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Browser;
  before(async () => ({ s, browser } = await startServerAndBrowser()));
  after(() => closeServerAndBrowser(s, browser));

  async function register(name: string, code: string, username: string) {
    const r = await s.client().post('/api/portal/supplier-registrations', {
      qualifications: { name, creditCode: withCheckChar(code), legalRep: '周审', size: 'small', registeredCapitalWan: 600, categories: ['A02010104', 'C1601'], brands: [{ categoryCode: 'A02010104', brand: '联想', model: '启天M437' }] },
      details: { address: '阳光市经开区审核路1号', region: '330100', contacts: [{ name: '吴联', position: '经理', phone: '13812340000', email: `${username}@review.example.cn` }] },
      account: { username, password: 'Review2026pass', displayName: name },
    });
    expect(r.status, JSON.stringify(r.body)).to.be.oneOf([200, 201]);
    return (await s.tdb.db('suppliers').where({ name }).first('id')).id as number;
  }

  it('shows categories by name and the capital as money, and will not reject without a reason (zh-CN, then English)', async () => {
    const first = await register('阳光市审核测试设备有限公司', '91330100MA2RW01X3', 'reviewone');
    const second = await register('阳光市补充材料测试有限公司', '91330100MA2RW02X3', 'reviewtwo');
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 1100 } });
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'operator');
    await page.goto(`${s.url}/suppliers/${first}`);
    await page.getByTestId('review-actions').waitFor();
    expect(await page.getByTestId('supplier-categories').textContent()).to.equal('台式计算机、软件开发服务');
    expect(await page.getByTestId('supplier-capital').textContent()).to.equal('¥6,000,000.00');
    expect(await page.getByTestId('supplier-facts').textContent()).to.include('台式计算机 联想 启天M437').and.not.match(/A0201|C1601/);
    expect(await page.getByTestId('review-history').textContent()).to.include('提交');

    // Reject with no reason: asked for in the form, nothing sent.
    await page.getByTestId('review-reject').click();
    await page.locator('[data-testid=review-actions] [data-testid=form-error]').filter({ hasText: '请先填写理由' }).waitFor();
    expect(await page.getByTestId('review-reason').evaluate((el) => el === document.activeElement)).to.equal(true);
    expect((await s.tdb.db('suppliers').where({ id: first }).first('status')).status).to.equal('pending');
    expect(await s.tdb.db('supplier_reviews').where({ supplier_id: first }).whereNot({ decision: 'submitted' }).count({ n: '*' }).then((r) => Number(r[0].n))).to.equal(0);
    await page.screenshot({ path: '/tmp/supplier-review-zh-CN.png', fullPage: true });
    await page.getByTestId('review-reason').fill('营业执照复印件不清晰，无法核验');
    await page.getByTestId('review-reject').click();
    await page.locator('[data-testid=supplier-status][data-status=rejected]').waitFor();
    expect(await page.getByTestId('action-done').textContent()).to.equal('已驳回，理由已通知供应商');
    expect(await page.getByTestId('review-history').textContent()).to.include('驳回 · 营业执照复印件不清晰，无法核验');
    expect(await page.getByTestId('review-actions').count()).to.equal(0);
    await page.screenshot({ path: '/tmp/supplier-review-done-zh-CN.png', fullPage: true });
    // Every action answers: a credit record added says so and appears in the list.
    await page.getByTestId('credit-description').fill('投标文件中提供虚假业绩证明');
    await page.getByTestId('credit-source').fill('阳财采〔2026〕12号');
    await page.getByTestId('credit-date').fill('2026-11-30');
    await page.locator('form:has([data-testid=credit-kind]) button[type=submit]').click();
    await page.getByTestId('action-done').filter({ hasText: '已记入信用记录' }).waitFor();
    expect(await page.getByTestId('credit-records').textContent()).to.include('投标文件中提供虚假业绩证明');

    // English.
    await page.goto(`${s.url}/suppliers/${second}`);
    await page.getByTestId('review-actions').waitFor();
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('review-actions').filter({ hasText: 'Registration review' }).waitFor();
    expect(await page.getByTestId('supplier-categories').textContent()).to.equal('Desktop computers, Software development');
    expect(await page.getByTestId('supplier-capital').textContent()).to.equal('CN¥6,000,000.00');
    await page.getByTestId('review-request_more').click();
    await page.locator('[data-testid=review-actions] [data-testid=form-error]').filter({ hasText: 'Give a reason first' }).waitFor();
    expect((await s.tdb.db('suppliers').where({ id: second }).first('status')).status).to.equal('pending');
    await page.screenshot({ path: '/tmp/supplier-review-en.png', fullPage: true });
    await page.getByTestId('review-reason').fill('Please upload the ISO 9001 certificate');
    await page.getByTestId('review-request_more').click();
    await page.locator('[data-testid=supplier-status][data-status=more_info]').waitFor();
    expect(await page.getByTestId('action-done').textContent()).to.equal('More information requested; the supplier has been told what');
    expect(await page.getByTestId('review-history').textContent()).to.include('Please upload the ISO 9001 certificate');
    await ctx.close();
  });
});
