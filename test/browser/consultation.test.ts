// One competitive consultation run in Chromium by the roles that run it, requisition to payment:
// the operator drafts, invites by the supplier draw and issues; a supplier responds; a team
// expert records a round and changes the documents; the supplier acknowledges; the operator calls
// the final quotations; the supplier seals its quotation in the page and decrypts it at the
// opening; the purchasing unit awards. Steps that are other modules' own pages (the requisition,
// the expert draw's acceptances, the other suppliers, the scores) go through the API.
import { expect } from 'chai';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { systemActor } from '../../server/http/actor';
import { sealBid, randomHex } from '../../client/src/views/tendering/sealing';
import { ensureSupplierUsers, ensureExpertUsers } from '../../server/execution/tendering/demo-users';
import { createDrawService } from '../../server/execution/draws/service';
import { cast, raise, approveAll, item, contractToPayment, relogin } from '../integration/workflow-helpers';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
/** A datetime-local value in Beijing time (the browser context runs in Asia/Shanghai). */
const beijingInput = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 16);

describe(`browser: a competitive consultation run by its roles (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
  const clock = new ManualClock(T0);
  let s: TestServer;
  let browser: Browser;
  before(async () => ({ s, browser } = await startServerAndBrowser({ clock })));
  after(() => closeServerAndBrowser(s, browser));

  const pageAs = async (username: string, lang: 'zh-CN' | 'en' = 'zh-CN'): Promise<Page> => {
    const ctx = await browser.newContext({ acceptDownloads: true, timezoneId: 'Asia/Shanghai', locale: lang });
    if (lang === 'en') await ctx.addInitScript(() => localStorage.setItem('locale', 'en'));
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, username);
    return page;
  };
  const runDue = async () => {
    while ((await s.platform.scheduler.runDue()) > 0);
  };

  it('drafts, invites, issues, responds, consults, changes, quotes sealed, opens, awards and pays', async () => {
    const db = s.tdb.db;
    const suppliers = await withTx(db, (tx) => ensureSupplierUsers(tx, clock, 4));
    const experts = await withTx(db, (tx) => ensureExpertUsers(tx, clock, 6));
    await db('expert_specialties').insert(experts.map((e) => ({ expert_id: e.expertId, category_code: 'B' })));
    const category = (await db('catalogue_categories as c').where({ kind: 'services' }).whereNotExists(db('supplier_categories as sc').whereRaw('sc.category_code = c.code').select('sc.supplier_id')).orderBy('code').first('code')).code as string;
    await db('supplier_categories').insert(suppliers.map((x) => ({ supplier_id: x.supplierId, category_code: category })));
    const c0 = await cast(s);
    const req = await raise(c0, [item(category, 1, 700_000)], { requestedMethod: 'competitive_consultation', methodRequestReason: '服务需求需与供应商磋商后确定' });
    const projectId = await approveAll(c0, req.id);

    // The operator drafts the documents from the services template, invites by the draw, issues.
    const op = await pageAs('operator');
    await op.goto(`${s.url}/consultations`);
    await op.getByTestId('consultation-list').waitFor();
    await op.getByTestId('consultation-new-open').click();
    await op.getByTestId('cn-title').fill('机关物业管理服务竞争性磋商');
    await op.getByTestId('cn-kind').selectOption('services');
    await op.getByTestId('cn-category').fill(category);
    await op.getByTestId('cn-budget').fill('680000');
    await op.getByTestId('cn-price-weight').fill('20');
    await op.getByTestId('cn-description').fill('办公楼物业管理服务一年，服务标准在磋商中细化。');
    await op.getByTestId('cn-deadline').fill(beijingInput(T0 + 10 * DAY));
    await op.getByTestId('cn-project').fill(String(projectId));
    await op.getByTestId('cn-create').click();
    await op.locator('[data-testid=consultation-detail][data-stage=draft]').waitFor();
    const id = Number(new URL(op.url()).pathname.split('/').pop());
    await op.getByTestId('cn-invite-count').fill('4');
    await op.getByTestId('cn-invite').click();
    await op.getByTestId('cn-issue').waitFor();
    await op.getByTestId('cn-issue').click();
    await op.locator('[data-testid=consultation-detail][data-stage=issued]').waitFor();
    expect(await op.getByTestId('consultation-sealed-list').textContent()).to.include('密封');
    const c = (await db('consultations').where({ id }).first()) as { reference: string; response_deadline: string };
    expect((await db('procurement_projects').where({ id: projectId }).first('stage')).stage).to.equal('responses_open');

    // A supplier responds in its page; the others by the API.
    const sup = await pageAs(suppliers[0].username);
    await sup.goto(`${s.url}/consultations/${id}`);
    await sup.getByTestId('cn-response').fill('我公司首次响应：驻场 8 人，2 小时到场。');
    await sup.getByTestId('cn-respond').click();
    await sup.locator('[data-testid=consultation-my-status]', { hasText: '已提交首次响应' }).waitFor();
    for (const x of suppliers.slice(1)) expect((await (await s.as(x.username)).post(`/api/consultations/${id}/responses`, { text: `响应 ${x.supplierId}` })).status).to.equal(201);

    // The deadline; the team from a real sealed expert draw requested for the consultation.
    clock.set(T0 + 10 * DAY);
    await runDue();
    const draws = createDrawService({ sealKey: s.config.secrets.sealKey, scheduler: s.platform.scheduler, clock });
    const revealAt = new Date(clock.now().getTime() + 2 * HOUR);
    const orgId = Number((await db('procurement_projects').where({ id: projectId }).first('org_id')).org_id);
    const draw = await withTx(db, (tx) => draws.requestDraw(tx, systemActor('test', clock), { projectRef: c.reference, projectId, purchasingOrgId: orgId, supplierIds: [], groups: [{ specialty: 'B', count: 5 }], evaluationPlace: '磋商室', evaluationAt: new Date(revealAt.getTime() + HOUR), revealAt }));
    for (const e of experts) {
      const inv = (await draws.myInvitations(db, e.expertId)).find((i) => i.drawId === draw.id);
      if (inv) await withTx(db, (tx) => draws.respond(tx, { userId: e.userId, role: 'expert', requestId: null, ip: null, clock }, e.expertId, inv.id, 'accept'));
    }
    clock.set(revealAt.getTime());
    await runDue();
    let team: Array<{ expert_id: number }> = [];
    for (let i = 0; i < 200 && team.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      team = await db('consultation_team').where({ consultation_id: id });
    }
    const members = experts.filter((e) => team.some((t) => Number(t.expert_id) === e.expertId));
    expect(members).to.have.length(5);

    // A team expert reads the responses, consults the supplier separately and changes the documents.
    const ex = await pageAs(members[0].username);
    await ex.goto(`${s.url}/consultations/${id}`);
    await ex.getByTestId('consultation-suppliers').getByText('驻场 8 人').waitFor();
    await ex.getByTestId(`cn-minutes-${suppliers[0].supplierId}`).fill('第一轮：确认驻场人员 8 人，保洁每日两次。');
    await ex.getByTestId(`cn-round-${suppliers[0].supplierId}`).click();
    await ex.getByTestId('consultation-rounds').getByText('保洁每日两次').waitFor();
    await ex.getByTestId('cn-change-summary').fill('保洁频次调整');
    await ex.getByTestId('cn-change-body').fill('服务标准第 3 条变更为每日两次保洁。');
    await ex.getByTestId('cn-change').click();
    await ex.getByTestId('consultation-changes').getByText('保洁频次调整').waitFor();
    const change = await db('consultation_changes').where({ consultation_id: id }).first('id');
    expect(await db('consultation_change_acks').where({ change_id: change.id }).count({ n: '*' }).first()).to.deep.include({ n: 4 });

    // The supplier reads its own round and acknowledges the change (in English this time).
    const supEn = await pageAs(suppliers[0].username, 'en');
    await supEn.goto(`${s.url}/consultations/${id}`);
    await supEn.getByTestId('consultation-my-rounds').getByText('保洁每日两次').waitFor();
    await supEn.getByTestId(`cn-ack-${change.id}`).click();
    await supEn.getByTestId('consultation-my-changes').getByText(/^Acknowledged /).waitFor();
    expect(await supEn.getByTestId('consultation-supplier').locator('h2').first().textContent()).to.equal('Your company in this consultation');
    expect(await supEn.getByTestId('consultation-supplier').textContent()).to.not.include(`响应 ${suppliers[1].supplierId}`);
    for (const x of suppliers.slice(1)) expect((await (await s.as(x.username)).post(`/api/consultations/${id}/changes/${change.id}/acknowledge`)).status).to.equal(200);

    // The operator calls the final quotations.
    const fqDeadline = clock.now().getTime() + 2 * DAY;
    await loginThroughPage(op, s.url, 'operator');
    await op.goto(`${s.url}/consultations/${id}`);
    await op.getByTestId('cn-final-deadline').fill(beijingInput(fqDeadline));
    await op.getByTestId('cn-final').click();
    await op.locator('[data-testid=consultation-detail][data-stage=final_quotation]').waitFor();
    const tenderId = Number((await db('consultations').where({ id }).first('tender_id')).tender_id);

    // The supplier seals its final quotation in the page (the server sees only ciphertext).
    await loginThroughPage(sup, s.url, suppliers[0].username);
    await sup.goto(`${s.url}/consultations/${id}`);
    await sup.getByTestId('consultation-final-link').click();
    await sup.getByTestId('tender-bid-form').waitFor();
    await sup.getByTestId('tender-bid-price').fill('612345.67');
    for (const k of ['r-scope', 'r-staff', 'r-sla']) await sup.getByTestId(`tender-bid-response-${k}`).fill(`FQ-SECRET-${k}`);
    const posted = sup.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/tenders/${tenderId}/bids`));
    await sup.getByTestId('tender-bid-submit').click();
    const body = (await posted).postData() ?? '';
    for (const plain of ['61234567', '612345.67', 'FQ-SECRET']) expect(body).to.not.include(plain);
    await sup.getByTestId('tender-receipt').waitFor();
    const download = sup.waitForEvent('download');
    await sup.getByTestId('tender-key-download').click();
    const keyPath = (await (await download).path())!;
    const keys: Record<number, string> = {};
    for (const [i, x] of suppliers.slice(1).entries()) {
      const q = sealBid({ tenderId, supplierId: x.supplierId, priceFen: 63_000_000 + i * 1_000_000, responses: { 'r-scope': 'ok', 'r-staff': 'ok', 'r-sla': 'ok' }, attachments: [] }, { keyHex: randomHex(32) });
      keys[x.supplierId] = q.keyHex;
      expect((await (await s.as(x.username)).post(`/api/tenders/${tenderId}/bids`, { envelope: q.envelope, digest: q.digest })).status).to.equal(201);
    }

    // The opening: the supplier hands in its key file in the page; the others by the API.
    clock.set(fqDeadline);
    await runDue();
    await loginThroughPage(sup, s.url, suppliers[0].username);
    await sup.goto(`${s.url}/tenders/${tenderId}`);
    await sup.getByTestId('tender-decrypt').waitFor();
    await sup.getByTestId('tender-decrypt-file').setInputFiles(keyPath);
    await sup.getByTestId('tender-decrypt-submit').click();
    await sup.locator('[data-testid=tender-decrypt-result][data-status=decrypted]').waitFor();
    for (const x of suppliers.slice(1)) {
      clock.advance(MIN);
      expect((await (await s.as(x.username)).post(`/api/tenders/${tenderId}/opening/key`, { key: keys[x.supplierId] })).body.status).to.equal('decrypted');
    }
    expect(fs.existsSync(keyPath)).to.equal(true);

    // The team scores and confirms (the scoring page has its own browser test).
    for (const m of members) {
      const cl = await s.as(m.username);
      const ev = (await cl.get(`/api/tenders/${tenderId}/evaluation`)).body;
      for (const b of ev.bids) {
        const scores = Object.fromEntries(ev.criteria.filter((k: any) => k.kind !== 'price').map((k: any) => [k.key, Math.round(k.weight * 0.8)]));
        expect((await cl.request('PUT', `/api/tenders/${tenderId}/evaluation/bids/${b.bidId}/scores`, { compliance: Object.fromEntries(ev.qualifications.map((q: any) => [q.key, true])), scores })).status).to.equal(200);
      }
      expect((await cl.post(`/api/tenders/${tenderId}/evaluation/submit`)).status).to.equal(200);
    }
    const report = (await (await s.as(members[0].username)).get(`/api/tenders/${tenderId}/evaluation`)).body.report;
    for (const m of members) expect((await (await s.as(m.username)).post(`/api/tenders/${tenderId}/evaluation/confirm`, { reportSha256: report.sha256 })).status).to.equal(200);

    // The purchasing unit awards in its page.
    const pu = await pageAs('purchaser');
    await pu.goto(`${s.url}/tenders/${tenderId}`);
    await pu.getByTestId('tender-award').click();
    await pu.getByTestId('tender-award-confirm-yes').click();
    await pu.getByTestId('tender-awarded').waitFor();
    await pu.goto(`${s.url}/consultations/${id}`);
    await pu.locator('[data-testid=consultation-detail][data-stage=awarded]').waitFor();
    expect((await db('procurement_projects').where({ id: projectId }).first('stage')).stage).to.equal('award_notice');

    // Award notice and challenge period by the workflow's jobs; then contract, acceptance, payment.
    for (let i = 0; i < 30 && (await db('procurement_projects').where({ id: projectId }).first('stage')).stage !== 'contract'; i++) {
      clock.advance(DAY);
      await runDue();
    }
    await relogin(c0);
    const winnerId = Number((await db('tender_bids').where({ id: (await db('tenders').where({ id: tenderId }).first('awarded_bid_id')).awarded_bid_id }).first('supplier_id')).supplier_id);
    const winner = suppliers.find((x) => x.supplierId === winnerId)!;
    await contractToPayment(s, { ...c0, supplier: await s.as(winner.username) }, projectId);
    expect((await db('procurement_projects').where({ id: projectId }).first('stage')).stage).to.equal('closed');
  });
});
