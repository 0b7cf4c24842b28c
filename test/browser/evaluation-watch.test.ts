// A supervisor watches a demo evaluation live (issue 16): the timeline reads as sentences in the
// reader's language, a committee member's step arrives without a reload, and an alert raised on
// the evaluation (SV12, a bid scored unopened) appears beside it; the careless demo committee's
// finished evaluation shows all four evaluation rules.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';

describe(`browser: the supervisor's evaluation watch (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  let s: TestServer;
  let browser: Browser;
  before(async () => ({ s, browser } = await startServerAndBrowser({ seed: 'demo' })));
  after(() => closeServerAndBrowser(s, browser));

  it('lists the evaluations and follows one live, in Chinese, with the alert it raises', async () => {
    const tender = await s.tdb.db('tenders').where({ status: 'evaluation' }).first('id', 'reference');
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'supervisor');
    await page.locator('[data-nav="/supervision/evaluations"]').click();
    await page.locator(`[data-testid=eval-watch-running] tr[data-tender-id="${tender.id}"]`).waitFor();
    expect(await page.locator('[data-testid=eval-watch-finished] tbody tr').count()).to.be.at.least(1);
    await page.locator(`[data-testid=eval-watch-running] tr[data-tender-id="${tender.id}"] a`).click();
    await page.locator('[data-testid=eval-watch-entries] li').first().waitFor();
    await page.getByText('实时', { exact: true }).waitFor(); // the live snapshot arrived: subscribed
    expect(await page.locator('h1').textContent()).to.contain(tender.reference);
    const sentences = await page.locator('[data-testid=eval-watch-entries] .sentence').allTextContents();
    expect(sentences.some((x) => /打开了.+的投标文件/.test(x)), sentences.slice(0, 5).join(' | ')).to.equal(true);
    expect(sentences.some((x) => /提交了评分/.test(x))).to.equal(true);
    expect(sentences.join('\n')).to.not.match(/tender\.|_|undefined|null/);
    const before = await page.locator('[data-testid=eval-watch-entries] li').count();

    // The demo expert scores a bid without opening it: the step and the alert arrive live.
    const expert = await s.as('expert');
    const view = (await expert.get(`/api/tenders/${tender.id}/evaluation`)).body;
    const compliance = Object.fromEntries(view.qualifications.map((q: any) => [q.key, true]));
    const scores = Object.fromEntries(view.criteria.filter((c: any) => c.kind !== 'price').map((c: any) => [c.key, Math.round(c.weight * 0.7)]));
    expect((await expert.request('PUT', `/api/tenders/${tender.id}/evaluation/bids/${view.bids[0].bidId}/scores`, { compliance, scores })).status).to.equal(200);
    await page.locator('[data-testid=eval-watch-entries] li').nth(before).waitFor();
    await page.locator('[data-testid=eval-watch-entries] li[data-kind=score]').last().waitFor();
    await page.locator('[data-testid=eval-watch-alerts] li[data-rule=SV12]').waitFor();
    expect(await page.locator('[data-testid=eval-watch-alerts] li[data-rule=SV12]').textContent()).to.match(/未打开.+投标文件即评分/);
    expect(await page.getByTestId('eval-watch-toast').textContent()).to.contain('新预警');
    // A member signing in from the browser: the device it came from is numbered on the timeline.
    const memberCtx = await browser.newContext();
    await loginThroughPage(await memberCtx.newPage(), s.url, 'expert');
    const signIn = page.locator('[data-testid=eval-watch-entries] li[data-kind=sign_in]', { hasText: /设备 \d/ }).last();
    await signIn.waitFor();
    expect(await signIn.textContent()).to.match(/登录平台（IP .+，设备 \d+）/);
    const login = await s.tdb.db('audit_events').where({ action: 'auth.login' }).orderBy('id', 'desc').first('after_json');
    expect(JSON.parse(login.after_json).deviceId).to.match(/^[0-9a-f-]{36}$/);
    await memberCtx.close();
    // A device id that is not one is refused at the edge.
    const bad = await s.client().post('/api/auth/login', { username: 'expert', password: 'Sunshine@2026', deviceId: '<script>' });
    expect(bad.status).to.equal(400);
    // The raw record is one click away.
    await page.locator('[data-testid=eval-watch-entries] li[data-kind=score] summary').last().click();
    expect(await page.locator('[data-testid=eval-watch-entries] li[data-kind=score] pre').last().textContent()).to.contain('tender.evaluation.score_changed');
    await ctx.close();
  });

  it('shows the careless committee\'s finished evaluation with its four alerts, in English', async () => {
    const tender = await s.tdb.db('tenders').where({ status: 'report_confirmation' }).first('id');
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'supervisor');
    await page.getByTestId('lang-switch').click();
    await page.goto(`${s.url}/supervision/evaluations/${tender.id}`);
    await page.locator('[data-testid=eval-watch-entries] li').first().waitFor();
    for (const rule of ['SV12', 'SV13', 'SV14', 'SV15']) await page.locator(`[data-testid=eval-watch-alerts] li[data-rule=${rule}]`).first().waitFor();
    const text = await page.locator('[data-testid=eval-watch-timeline]').innerText();
    expect(text).to.match(/returned .+'s scores/);
    expect(text).to.match(/changed .+'s scores: .+→/);
    expect(text).to.match(/submitted their scores/);
    expect(text, 'no Chinese interface text in English (names and titles are data)').to.not.match(/打开了|提交了评分|退回了|评审时间线/);
    expect(await page.locator('[data-testid=eval-watch-alerts]').innerText()).to.match(/committee took [\d.]+ minutes/);
    await ctx.close();
  });

  it("lets the chair return a member's submitted scores from the tender page, with a reason, in Chinese", async () => {
    const tender = await s.tdb.db('tenders').where({ status: 'evaluation' }).first('id');
    const chair = await s.tdb.db('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').join('users as u', 'u.id', 'e.user_id').where({ 'c.tender_id': tender.id, 'c.is_chair': true }).first('u.username');
    const member = await s.tdb.db('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').where({ 'c.tender_id': tender.id, 'c.is_chair': false }).whereNotNull('c.scores_submitted_at').first('c.expert_id', 'e.name');
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, chair.username);
    await page.goto(`${s.url}/tenders/${tender.id}`);
    const row = page.locator(`[data-testid=tender-return] li[data-expert-id="${member.expert_id}"]`);
    await row.waitFor();
    expect(await row.textContent()).to.contain(member.name);
    // No reason: told, nothing sent.
    await page.getByTestId(`tender-return-${member.expert_id}`).click();
    await page.getByTestId(`tender-return-${member.expert_id}-error`).filter({ hasText: '请填写退回理由' }).waitFor();
    expect(await s.tdb.db('audit_events').where({ action: 'tender.evaluation.scores_returned', entity_id: String(tender.id) }).first()).to.equal(undefined);
    await page.getByTestId(`tender-return-reason-${member.expert_id}`).fill('第二项得分超出评分细则，请核对');
    await page.getByTestId(`tender-return-${member.expert_id}`).click();
    await page.getByTestId('tender-return-done').filter({ hasText: member.name }).waitFor();
    const ev = await s.tdb.db('audit_events').where({ action: 'tender.evaluation.scores_returned', entity_id: String(tender.id) }).first('after_json');
    expect(JSON.parse(ev.after_json)).to.include({ expertId: member.expert_id, reason: '第二项得分超出评分细则，请核对' });
    expect((await s.tdb.db('tender_committee').where({ tender_id: tender.id, expert_id: member.expert_id }).first()).scores_submitted_at).to.equal(null);
    await ctx.close();
  });
});
