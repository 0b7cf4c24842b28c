import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { launchBrowser, loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { withCheckChar } from '../../server/execution/suppliers/credit-code';

const login = loginThroughPage;

describe(`browser: supplier registration and review (${TEST_DIALECT})`, function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Browser;
  before(async () => ({ s, browser } = await startServerAndBrowser()));
  after(() => closeServerAndBrowser(s, browser));

  it('a supplier registers on the portal, and an operator approves it', async () => {
    const code = withCheckChar('91330100MA2B7Q1X3');
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(s.url + '/portal/supplier-registration');
    await page.getByTestId('reg-name').fill('阳光市晨光教学设备有限公司');
    // A wrong check character is caught in the page before anything is sent.
    await page.getByTestId('reg-credit-code').fill(code.slice(0, 17) + (code[17] === '0' ? '1' : '0'));
    expect(await page.getByTestId('reg-credit-code-hint').textContent()).to.equal('统一社会信用代码校验位不正确');
    await page.getByTestId('reg-credit-code').fill(code);
    expect(await page.getByTestId('reg-credit-code-hint').textContent()).to.equal('');
    await page.getByTestId('reg-legal-rep').fill('孙晨');
    await page.getByTestId('reg-size').selectOption('small');
    await page.getByTestId('reg-capital').fill('600');
    await page.getByTestId('reg-address').fill('阳光市经开区学府路18号');
    await page.getByTestId('reg-cat-A02020800').check();
    await page.getByTestId('reg-cat-A02010104').check();
    await page.getByTestId('reg-brands').fill('A02020800,爱普生,CB-X06\nA02010104,联想,启天M437');
    await page.getByTestId('reg-contact-name').fill('钱多');
    await page.getByTestId('reg-contact-position').fill('销售经理');
    await page.getByTestId('reg-contact-phone').fill('13812345678');
    await page.getByTestId('reg-contact-email').fill('qian@chenguang.example.cn');
    await page.getByTestId('reg-username').fill('chenguang');
    await page.getByTestId('reg-password').fill('Chenguang2026');
    await page.getByTestId('reg-display-name').fill('钱多（晨光教学设备）');
    await page.getByTestId('reg-submit').click();
    await page.getByTestId('registration-done').waitFor();
    await ctx.close();

    // The operator finds it in the review queue and approves it.
    const op = await browser.newContext();
    const opPage = await op.newPage();
    await login(opPage, s.url, 'operator');
    await opPage.locator('[data-nav="/suppliers"]').click();
    await opPage.getByTestId('supplier-filter').selectOption('pending');
    await opPage.getByText('阳光市晨光教学设备有限公司').click();
    await opPage.getByTestId('review-actions').waitFor();
    expect(await opPage.getByTestId('supplier-facts').textContent()).to.include('爱普生 CB-X06');
    await opPage.getByTestId('review-approve').click();
    await opPage.locator('[data-testid=supplier-status][data-status=approved]').waitFor();
    expect(await opPage.getByTestId('review-history').textContent()).to.include('审核通过');
    await op.close();

    // The supplier's own account now shows the approved profile.
    const sup = await browser.newContext();
    const supPage = await sup.newPage();
    await login(supPage, s.url, 'chenguang', 'Chenguang2026');
    await supPage.locator('[data-nav="/my-company"]').click();
    await supPage.locator('[data-testid=supplier-status][data-status=approved]').waitFor();
    expect(await supPage.getByTestId('supplier-name').textContent()).to.equal('阳光市晨光教学设备有限公司');
    // Contacts change at once; a new category goes back to review while the profile stays approved.
    await supPage.getByTestId('my-contact-phone').fill('13887654321');
    await supPage.getByTestId('save-contacts').click();
    await supPage.locator('[data-testid=saved]:has-text("已保存")').waitFor();
    await supPage.getByTestId('my-categories').fill('A02020800, A02010104, A02021003');
    await supPage.getByTestId('submit-qualifications').click();
    await supPage.getByTestId('my-pending-change').waitFor();
    expect(await supPage.getByTestId('supplier-status').getAttribute('data-status')).to.equal('approved');
    await sup.close();
    const row = await s.tdb.db('suppliers').where({ credit_code: code }).first('contact_phone', 'id');
    expect(row.contact_phone).to.equal('13887654321');
    expect(await s.tdb.db('supplier_change_requests').where({ supplier_id: row.id, status: 'pending' }).first('id')).to.not.equal(undefined);
  });
});
