// The holiday calendar in the browser, on Thursday 4 February 2027 (a year whose arrangement is
// still provisional, Spring Festival starting the next day): deadlines counted over it carry a
// small "provisional" mark on the project and requisition pages; the supervision board and the
// admin's calendar page say the year is not confirmed, until the admin corrects a day and confirms.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { approveAll, cast, item, ok, raise, type Cast } from '../integration/workflow-helpers';

describe(`browser: holiday calendar (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let browser: Browser;
  let c: Cast;
  let projectId: number;
  let pendingReqId: number;
  before(async () => {
    ({ s, browser } = await startServerAndBrowser({ clock: new ManualClock(Date.parse('2027-02-04T09:00:00+08:00')) }));
    c = await cast(s);
    const req = await raise(c, [item('A02010201', 4, 60_000)], { neededBy: '2027-12-31' });
    projectId = await approveAll(c, req.id);
    await ok(c.operator.post(`/api/projects/${projectId}/documents`, { deadlineAt: '2027-02-18T01:00:00.000Z' }));
    pendingReqId = (await raise(c, [item('A02010201', 1, 60_000)], { neededBy: '2027-12-31' })).id;
  });
  after(() => closeServerAndBrowser(s, browser));

  it('marks deadlines counted over provisional holidays on the project and requisition pages', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'operator');
    await page.goto(`${s.url}/projects/${projectId}`);
    await page.getByTestId('project').locator('h1').waitFor();
    expect(await page.locator('.facts [data-testid=deadline-provisional]').count()).to.equal(1);
    expect(await page.locator('[data-testid=project-stages] [data-testid=deadline-provisional]').count()).to.equal(1);
    expect(await page.locator('[data-testid=deadline-provisional]').first().getAttribute('title')).to.contain('暂定');
    await ctx.close();

    const ctx2 = await browser.newContext();
    const purchaser = await ctx2.newPage();
    await loginThroughPage(purchaser, s.url, 'purchaser');
    await purchaser.goto(`${s.url}/requisitions/${pendingReqId}`);
    await purchaser.getByTestId('req-timeline').waitFor();
    expect(await purchaser.locator('[data-testid=req-timeline] [data-step-status=pending] [data-testid=deadline-provisional]').count()).to.equal(1);
    await ctx2.close();
  });

  it('tells the supervisor on the board that the year is not confirmed', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'supervisor');
    await page.locator('[data-nav="/supervision"]').click();
    await page.locator('[data-testid=calendar-unconfirmed][data-years="2027"]').waitFor();
    expect(await page.getByTestId('calendar-unconfirmed').textContent()).to.contain('2027 年的节假日安排尚未确认');
    await ctx.close();
  });

  it('lets the admin correct a day and confirm the year on the calendar page', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'admin');
    await page.locator('[data-nav="/calendar"]').click();
    await page.locator('[data-testid=calendar-status][data-status=provisional]').waitFor();
    await page.locator('[data-testid=calendar-unconfirmed][data-years="2027"]').waitFor();
    expect(await page.locator('tr[data-day="2027-02-06"][data-source=provisional][data-provisional=true]').count()).to.equal(1);
    // Back a year: announced, no notice about it.
    await page.getByTestId('calendar-prev').click();
    await page.locator('[data-testid=calendar-status][data-status=official]').waitFor();
    expect(await page.locator('tr[data-day="2026-02-14"][data-kind=workday][data-source=official]').count()).to.equal(1);
    await page.getByTestId('calendar-next').click();
    await page.locator('[data-testid=calendar-status][data-status=provisional]').waitFor();

    await page.getByTestId('calendar-set-day').fill('2027-02-20');
    await page.getByTestId('calendar-set-kind').selectOption('workday');
    await page.getByTestId('calendar-set-name').fill('春节调休上班');
    await page.getByTestId('calendar-set-submit').click();
    await page.locator('tr[data-day="2027-02-20"][data-kind=workday][data-source=city][data-provisional=false]').waitFor();

    await page.getByTestId('calendar-confirm').click();
    await page.locator('[data-testid=calendar-status][data-status=confirmed]').waitFor();
    expect(await page.getByTestId('calendar-unconfirmed').count()).to.equal(0);
    expect(await page.locator('tr[data-provisional=true]').count()).to.equal(0);
    await page.getByTestId('lang-switch').click();
    await page.locator('h1', { hasText: 'Holidays of 2027' }).waitFor();
    expect(await page.getByTestId('calendar-status').textContent()).to.contain('confirmed by an administrator');
    await ctx.close();
  });
});
