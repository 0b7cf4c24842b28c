// One invitational tender, run in Chromium by the roles that run it: the purchaser asks for the
// method with its reason on the requisition form; (approvals as in the workflow browser test);
// the operator draws the invited suppliers on the project page and sees only the count and the
// commitment; an invited supplier finds its invitation, opens the documents and seals its bid
// under a passphrase, an uninvited one finds nothing; at the deadline the draw is revealed and the
// operator verifies it on the page; the invited supplier opens its bid with its passphrase;
// (evaluation, award as in the tender browser tests); contract, acceptance, payment.
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { sealBid, randomHex } from '../../client/src/views/tendering/sealing';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { ensureExpertUsers, ensureSupplierUsers } from '../../server/execution/tendering/demo-users';
import { linkCommittee } from '../../server/execution/tendering/evaluation/committee';
import type { TenderingDeps } from '../../server/execution/tendering/deps';
import { DAY, approveAll, cast, contractToPayment, advance, ok, relogin, type Cast } from '../integration/workflow-helpers';

describe(`browser: an invitational tender from requisition to payment (${TEST_DIALECT})`, function () {
  this.timeout(240_000);
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0)); // Monday 09:00 in Beijing
  let s: TestServer;
  let browser: Browser;
  let c: Cast;
  let deps: TenderingDeps;
  let suppliers: Array<{ userId: number; supplierId: number; username: string }>;
  let experts: Array<{ userId: number; expertId: number; username: string }>;
  let category: string;

  before(async () => {
    ({ s, browser } = await startServerAndBrowser({ clock }));
    deps = { db: s.tdb.db, clock, scheduler: s.platform.scheduler, realtime: s.platform.realtime, log: { debug() {}, info() {}, warn() {}, error() {} }, config: s.config };
    ({ suppliers, experts } = await withTx(s.tdb.db, async (tx) => ({ suppliers: await ensureSupplierUsers(tx, clock, 6), experts: await ensureExpertUsers(tx, clock, 5) })));
    c = await cast(s);
    category = (await s.tdb.db('catalogue_categories').where({ kind: 'goods', framework_agreement: false }).orderByRaw('length(code) desc').orderBy('code').first('code')).code;
    await s.tdb.db('supplier_categories').where({ category_code: category }).delete();
    await s.tdb.db('supplier_categories').insert(suppliers.map((x) => ({ supplier_id: x.supplierId, category_code: category })));
  });
  after(() => closeServerAndBrowser(s, browser));

  async function signedIn(username: string): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    await loginThroughPage(page, s.url, username);
    return page;
  }

  it('is run by the purchaser, the approvers, the operator, invited suppliers, the committee, the unit and finance', async () => {
    const db = s.tdb.db;
    const [A, B, C, D, , F] = suppliers;
    expect(A.username).to.equal('supplier');

    // 1. The purchaser asks for invitational tender with its reason, in the form.
    const pp = await signedIn('purchaser');
    await pp.goto(`${s.url}/requisitions/new`);
    await pp.getByTestId('req-availability').locator('div').first().waitFor();
    await pp.getByTestId('req-title').fill('核磁共振成像系统采购');
    await pp.getByTestId('req-line').selectOption(String(c.lineId));
    await pp.getByTestId('item-category').selectOption(category);
    await pp.getByTestId('item-name').fill('核磁共振成像系统');
    await pp.getByTestId('item-spec').fill('1.5T，含安装调试');
    await pp.getByTestId('item-qty').fill('1');
    await pp.getByTestId('item-price').fill('2500000');
    await pp.getByTestId('req-justification').fill('现有设备已报废，急需更新。');
    await pp.getByTestId('req-requested-method').selectOption('invitational_tender');
    await pp.getByTestId('req-method-reason').fill('该型号设备仅有少数厂家能够提供');
    await pp.getByTestId('req-submit').click();
    await pp.getByTestId('req-detail').locator('h1').waitFor();
    expect(await pp.getByTestId('req-method').textContent()).to.equal('邀请招标');
    expect(await pp.getByTestId('req-requested').textContent()).to.include('该型号设备仅有少数厂家能够提供');
    const reqId = (await db('requisitions').where({ title: '核磁共振成像系统采购' }).first('id')).id;

    // 2. The approval chain (its screens are walked in test/browser/workflow.test.ts).
    const projectId = await approveAll(c, Number(reqId));

    // 3. The operator draws the invited suppliers on the project page: a count and a commitment, no names.
    const op = await signedIn('operator');
    await op.goto(`${s.url}/projects/${projectId}`);
    await op.getByTestId('invitation-panel').getByTestId('inv-draw').waitFor();
    expect(await op.getByTestId('inv-count').textContent()).to.equal('尚未邀请供应商');
    await op.getByTestId('inv-count-input').fill('5');
    await op.getByTestId('inv-exclude').fill(String(F.supplierId));
    await op.getByTestId('inv-draw').click();
    await op.locator('[data-testid=inv-count][data-count="5"]').waitFor();
    expect(await op.getByTestId('inv-count').textContent()).to.include('已邀请 5 家供应商');
    expect(await op.locator('[data-testid=inv-draw-record]').getAttribute('data-status')).to.equal('sealed');
    const commitment = (await db('supplier_draws').where({ subject_id: projectId }).first('commitment')).commitment as string;
    expect(await op.getByTestId('inv-commitment').textContent()).to.equal(commitment.slice(0, 16) + '…');
    await op.getByTestId('inv-next').waitFor();
    const panel = await op.getByTestId('invitation-panel').innerText();
    for (const x of suppliers) expect(panel).to.not.include((await db('suppliers').where({ id: x.supplierId }).first('name')).name);
    expect(await op.locator('[data-testid=project-stages] .wf-now').textContent()).to.include('供应商邀请');

    // 4. The tender documents are published from the tender desk (walked in the tender browser tests).
    const tpl = TEMPLATES.goods;
    const deadline = new Date(clock.now().getTime() + 21 * DAY).toISOString();
    const opApi = await s.as('operator');
    const draft = await ok(opApi.post('/api/tenders', { title: '核磁共振成像系统采购（邀请招标）', kind: 'goods', categoryCode: category, projectId, budgetFen: 250_000_000, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: '邀请招标', requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline, openingAt: deadline }), 201);
    const t = await ok(opApi.post(`/api/tenders/${draft.id}/publish`));

    // 5. The invited demo supplier finds its invitation, opens the documents and seals its bid under a passphrase.
    const sp = await signedIn('supplier');
    await sp.locator('[data-nav="/my/supplier-invitations"]').click();
    await sp.locator(`[data-testid=supplier-invitation][data-project-id="${projectId}"]`).waitFor();
    expect(await sp.locator('h1').textContent()).to.equal('我的投标邀请');
    expect(await sp.getByTestId('supplier-invitation').textContent()).to.include('随机抽取');
    await sp.getByTestId('inv-open-tender').click();
    await sp.getByTestId('tender-bid-form').waitFor();
    await sp.getByTestId('tender-bid-price').fill('2,300,000');
    await sp.getByTestId('tender-bid-response-r-spec').fill('满足');
    await sp.getByTestId('tender-keymode-pass').check();
    await sp.getByTestId('tender-bid-pass').fill('Invited-Passphrase-2026');
    await sp.getByTestId('tender-bid-pass2').fill('Invited-Passphrase-2026');
    await sp.getByTestId('tender-bid-submit').click();
    await sp.getByTestId('tender-receipt').waitFor();
    // The uninvited supplier finds no invitation and no tender.
    const fp = await signedIn(F.username);
    await fp.goto(`${s.url}/my/supplier-invitations`);
    await fp.getByTestId('supplier-invitations-empty').waitFor();
    expect(await fp.getByTestId('supplier-invitations-empty').textContent()).to.equal('暂无投标邀请');
    // Three more invited suppliers bid (the bidder's screens are walked in tender-bidder.test.ts).
    const keys: Record<number, string> = {};
    for (const [i, x] of [B, C, D].entries()) {
      const keyHex = randomHex(32);
      const sealed = sealBid({ tenderId: t.id, supplierId: x.supplierId, priceFen: [240_000_000, 245_000_000, 238_000_000][i], responses: { 'r-spec': '满足', 'r-delivery': '满足', 'r-warranty': '满足' }, attachments: [] }, { keyHex });
      expect((await (await s.as(x.username)).post(`/api/tenders/${t.id}/bids`, { envelope: sealed.envelope, digest: sealed.digest })).status).to.equal(201);
      keys[x.supplierId] = keyHex;
    }

    // 6. The bids close: the draw is revealed; the operator verifies it and reads the names on the page.
    clock.set(new Date(t.bidDeadline).getTime());
    while ((await s.platform.scheduler.runDue()) > 0);
    await loginThroughPage(op, s.url, 'operator');
    await op.goto(`${s.url}/projects/${projectId}`);
    await op.locator('[data-testid=inv-draw-record][data-status=revealed]').waitFor();
    await op.getByTestId('inv-verify').click();
    await op.locator('[data-testid=inv-verdict][data-ok=true]').waitFor();
    expect(await op.getByTestId('inv-verdict').textContent()).to.equal('公开验证通过');
    const listed = await op.getByTestId('inv-list').innerText();
    for (const x of [A, B, C, D]) expect(listed).to.include((await db('suppliers').where({ id: x.supplierId }).first('name')).name);

    // 7. The opening: the demo supplier opens its bid with its passphrase in the page; the others by API.
    await loginThroughPage(sp, s.url, 'supplier');
    await sp.goto(`${s.url}/tenders/${t.id}`);
    await sp.getByTestId('tender-decrypt').waitFor();
    await sp.getByTestId('tender-decrypt-pass').fill('Invited-Passphrase-2026');
    await sp.getByTestId('tender-decrypt-submit').click();
    await sp.locator('[data-testid=tender-decrypt-result][data-status=decrypted]').waitFor();
    for (const x of [B, C, D]) expect((await (await s.as(x.username)).post(`/api/tenders/${t.id}/opening/key`, { key: keys[x.supplierId] })).status).to.equal(200);
    expect((await ok((await s.as('operator')).get(`/api/tenders/${t.id}`))).status).to.equal('evaluation');
    await relogin(c);
    expect((await ok(c.operator.get(`/api/projects/${projectId}`))).stage).to.equal('evaluation');

    // 8. Evaluation and award (walked in the tender browser tests): the committee scores the same, the lowest price wins.
    await withTx(db, (tx) => linkCommittee(deps, tx, { userId: null, role: 'system:test', requestId: null, ip: null, clock }, t.id, experts.slice(0, 5).map((e) => ({ expertId: e.expertId })), { source: 'direct', sourceRef: 'test' }));
    const ex = await Promise.all(experts.slice(0, 5).map((e) => s.as(e.username)));
    const view = await ok(ex[0].get(`/api/tenders/${t.id}/evaluation`));
    const checks = Object.fromEntries(tpl.qualifications.map((q) => [q.key, true]));
    for (const e of ex) {
      for (const b of view.bids) await ok(e.request('PUT', `/api/tenders/${t.id}/evaluation/bids/${b.bidId}/scores`, { compliance: checks, scores: { technical: 34, service: 18, experience: 8 } }));
      await ok(e.post(`/api/tenders/${t.id}/evaluation/submit`));
    }
    const ev = await ok(ex[0].get(`/api/tenders/${t.id}/evaluation`));
    for (const e of ex) await ok(e.post(`/api/tenders/${t.id}/evaluation/confirm`, { reportSha256: ev.report.sha256 }));
    const top = ev.bids.find((b: any) => b.rank === 1);
    await ok((await s.as('purchaser')).post(`/api/tenders/${t.id}/award`, top.supplierId === A.supplierId ? {} : { bidId: ev.bids.find((b: any) => b.supplierId === A.supplierId).bidId, reason: '测试' }));

    // 9. Challenge period, then contract, acceptance and payment (the demo supplier signs).
    await advance(s, 16 * DAY);
    const closed = await contractToPayment(s, c, projectId);
    expect(closed.stage).to.equal('closed');
    // The project page shows the whole invitational path, done.
    await loginThroughPage(op, s.url, 'operator');
    await op.goto(`${s.url}/projects/${projectId}`);
    await op.getByTestId('project-stages').waitFor();
    const path = await op.getByTestId('project-stages').innerText();
    expect(path).to.include('供应商邀请').and.include('投标').and.include('开标');
    await browser.contexts().forEach((x) => void x.close());
  });
});
