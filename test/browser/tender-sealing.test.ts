import { expect } from 'chai';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { launchBrowser, loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock, isoFromDb } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { sealBid, randomHex } from '../../client/src/views/tendering/sealing';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { ensureSupplierUsers, ensureExpertUsers } from '../../server/execution/tendering/demo-users';
import { linkCommittee } from '../../server/execution/tendering/evaluation/committee';

const DAY = 86_400_000;

const login = loginThroughPage;

describe(`browser: a supplier seals a bid in Chromium and decrypts it at the opening (${TEST_DIALECT})`, function () {
  this.timeout(90_000);
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0));
  let s: TestServer;
  let browser: Browser;
  let tenderId = 0;
  before(async () => ({ s, browser } = await startServerAndBrowser({ clock })));
  after(() => closeServerAndBrowser(s, browser));

  it('seals in the page (the server sees only ciphertext), downloads the key file, and opens the bid with it', async () => {
    const suppliers = await withTx(s.tdb.db, (tx) => ensureSupplierUsers(tx, clock, 3));
    const op = await s.as('operator');
    const tpl = TEMPLATES.goods;
    const deadline = new Date(clock.now().getTime() + 21 * DAY).toISOString();
    const category = (await s.tdb.db('catalogue_categories').where({ kind: 'goods' }).first('code')).code;
    const created = await op.post('/api/tenders', { title: '浏览器加密投标测试', kind: 'goods', categoryCode: category, budgetFen: 200_000_000, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: '测试', requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline, openingAt: deadline });
    const id = created.body.id;
    tenderId = id;
    expect((await op.post(`/api/tenders/${id}/publish`)).status).to.equal(200);
    // Two other bidders seal in Node exactly as the page does.
    const others: Array<{ c: Awaited<ReturnType<TestServer['as']>>; key: string }> = [];
    for (const sup of suppliers.slice(1)) {
      const c = await s.as(sup.username);
      const sealed = sealBid({ tenderId: id, supplierId: sup.supplierId, priceFen: 150_000_000 + sup.supplierId, responses: { 'r-spec': 'ok' }, attachments: [] }, { keyHex: randomHex(32) });
      expect((await c.post(`/api/tenders/${id}/bids`, { envelope: sealed.envelope, digest: sealed.digest })).status).to.equal(201);
      others.push({ c, key: sealed.keyHex });
    }

    const ctx = await browser.newContext({ acceptDownloads: true });
    const page = await ctx.newPage();
    await login(page, s.url, 'supplier');
    await page.goto(`${s.url}/tenders/${id}`);
    await page.getByTestId('tender-bid-form').waitFor();
    await page.getByTestId('tender-bid-price').fill('1234567.89');
    await page.getByTestId('tender-bid-response-r-spec').fill('BROWSER-SECRET-SPEC 全部满足');
    await page.getByTestId('tender-bid-response-r-delivery').fill('BROWSER-SECRET-DELIVERY');
    await page.getByTestId('tender-bid-files').setInputFiles({ name: 'quote.txt', mimeType: 'text/plain', buffer: Buffer.from('BROWSER-SECRET-ATTACHMENT') });
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/tenders/${id}/bids`));
    await page.getByTestId('tender-bid-submit').click();
    const body = (await posted).postData() ?? '';
    expect(Object.keys(JSON.parse(body)).sort()).to.deep.equal(['deviceId', 'digest', 'envelope']); // a random per-browser id, nothing of the bid
    for (const plain of ['123456789', '1234567.89', 'BROWSER-SECRET', Buffer.from('BROWSER-SECRET-ATTACHMENT').toString('base64')]) expect(body).to.not.include(plain);
    await page.getByTestId('tender-receipt').waitFor();
    const receiptNo = await page.getByTestId('tender-receipt-no').textContent();
    const stored = await s.tdb.db('tender_bids').where({ receipt_no: receiptNo }).first();
    expect(stored.plaintext_sha256).to.equal(await page.getByTestId('tender-receipt-digest').textContent());
    expect(stored.envelope).to.equal(JSON.parse(body).envelope);
    const download = page.waitForEvent('download');
    await page.getByTestId('tender-key-download').click();
    const keyPath = await (await download).path();
    const keyFile = JSON.parse(fs.readFileSync(keyPath!, 'utf8'));
    expect(keyFile).to.include({ kind: 'sunshine-bid-key', receiptNo, tenderId: id });
    expect(keyFile.keyHex).to.match(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await s.tdb.db('tender_bids').select())).to.not.include(keyFile.keyHex);

    // The opening: the scheduler starts the session; the bidder signs in again and hands in the key file.
    clock.set(new Date(deadline).getTime());
    await s.platform.scheduler.runDue();
    await login(page, s.url, 'supplier');
    await page.goto(`${s.url}/tenders/${id}`);
    await page.getByTestId('tender-decrypt').waitFor();
    await page.getByTestId('tender-decrypt-file').setInputFiles(keyPath!);
    await page.getByTestId('tender-decrypt-submit').click();
    await page.locator('[data-testid=tender-decrypt-result][data-status=decrypted]').waitFor();
    expect(await page.getByTestId('tender-decrypt-result').textContent()).to.include('1,234,567.89');
    // Opened, and kept sealed on the server until every bid is resolved: no price in clear yet.
    const during = await s.tdb.db('tender_bids').where({ receipt_no: receiptNo }).first();
    expect([during.status, during.price_fen, during.opened_json]).to.deep.equal(['decrypted', null, null]);
    await page.getByTestId('tender-opening-counts').waitFor();
    expect(await page.getByTestId('tender-opening-counts').textContent()).to.match(/1 \/ 3/);

    // The others decrypt; the opening record appears for everyone, live.
    for (const o of others) {
      o.c.cookie = '';
      await o.c.login(suppliers[others.indexOf(o) + 1].username);
      expect((await o.c.post(`/api/tenders/${id}/opening/key`, { key: o.key })).body.status).to.equal('decrypted');
    }
    await page.locator('[data-testid=tender-detail][data-status=evaluation]').waitFor({ timeout: 10_000 });
    const rows = await page.locator('[data-testid=tender-opening-record] tbody tr').count();
    expect(rows).to.equal(3);
    expect(await page.getByTestId('tender-opening-record').textContent()).to.include('1,234,567.89');
    const bid = await s.tdb.db('tender_bids').where({ receipt_no: receiptNo }).first();
    expect(Number(bid.price_fen)).to.equal(123_456_789);
    expect(JSON.parse(bid.opened_json).responses['r-spec']).to.equal('BROWSER-SECRET-SPEC 全部满足');
    expect(Buffer.from(JSON.parse(bid.opened_json).attachments[0].dataBase64, 'base64').toString()).to.equal('BROWSER-SECRET-ATTACHMENT');
    await ctx.close();
  });
  it('lets a committee member open a bid and record scores in the page (the price score is computed)', async () => {
    const experts = await withTx(s.tdb.db, (tx) => ensureExpertUsers(tx, clock, 5));
    await withTx(s.tdb.db, (tx) => linkCommittee({ db: s.tdb.db, clock, scheduler: s.platform.scheduler, realtime: s.platform.realtime, log: { debug() {}, info() {}, warn() {}, error() {} }, config: s.config }, tx, { userId: null, role: 'system:test', requestId: null, ip: null, clock }, tenderId, experts.map((e) => ({ expertId: e.expertId })), { source: 'direct', sourceRef: 'browser-test' }));
    const ctx = await browser.newContext({ acceptDownloads: true });
    const page = await ctx.newPage();
    await login(page, s.url, experts[0].username);
    await page.goto(`${s.url}/tenders/${tenderId}`);
    await page.getByTestId('tender-evaluation').locator('[data-testid^=tender-eval-bid-]').first().waitFor();
    const bidId = (await page.getByTestId('tender-evaluation').locator('[data-testid^=tender-eval-bid-]').first().getAttribute('data-testid'))!.replace('tender-eval-bid-', '');
    await page.getByTestId(`tender-open-bid-${bidId}`).click();
    await page.getByTestId(`tender-eval-bid-${bidId}`).locator('dl').waitFor();
    for (const [k, v] of [['technical', '33.5'], ['service', '18'], ['experience', '7']]) await page.getByTestId(`tender-score-${bidId}-${k}`).fill(v);
    await page.getByTestId(`tender-check-${bidId}-q-tax`).uncheck();
    await page.getByTestId(`tender-save-${bidId}`).click();
    await page.getByTestId(`tender-eval-bid-${bidId}`).getByText(/已保存|Saved/).waitFor();
    const row = await s.tdb.db('tender_scores').where({ bid_id: Number(bidId), expert_id: experts[0].expertId }).first();
    expect(JSON.parse(row.scores_json)).to.deep.equal({ experience: 7000, service: 18000, technical: 33500 });
    expect(JSON.parse(row.compliance_json)['q-tax']).to.equal(false);
    expect(await s.tdb.db('audit_events').where({ action: 'tender.evaluation.bid_viewed', entity_id: String(tenderId) }).first()).to.exist;
    // The bid sealed in the page carries a file: the member downloads it through a blob: link
    // (data: URLs stop at 2 MB in Chromium; attachments may be 6 MB).
    const withFile = await s.tdb.db('tender_bids').where({ tender_id: tenderId, status: 'decrypted' }).where('opened_json', 'like', '%quote.txt%').first('id');
    await page.getByTestId(`tender-open-bid-${withFile.id}`).click();
    const link = page.getByTestId(`tender-eval-bid-${withFile.id}`).getByTestId('eval-attachment');
    await link.waitFor();
    expect(await link.getAttribute('download')).to.equal('quote.txt');
    const href = (await link.getAttribute('href'))!;
    expect(href).to.match(/^blob:/);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).to.equal('quote.txt');
    const chunks: Buffer[] = [];
    for await (const c of (await download.createReadStream())!) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).to.equal('BROWSER-SECRET-ATTACHMENT');
    await ctx.close();
  });

  it('lets the operator draft tender documents from a template and publish them', async () => {
    // A fixed zone: datetime-local inputs are in the browser's local time, the database in UTC.
    const ctx = await browser.newContext({ timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    const shanghai = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
    const deadlineMs = Math.ceil((clock.now().getTime() + 25 * DAY) / 60_000) * 60_000;
    const openingMs = deadlineMs + 2 * 3600_000;
    const title = '模板生成的招标文件';
    const tenderRows = () => s.tdb.db('tenders').where({ title });
    await login(page, s.url, 'operator');
    await page.goto(`${s.url}/tenders`);
    let posts = 0;
    page.on('request', (r) => void (r.method() === 'POST' && r.url().endsWith('/api/tenders') && posts++));
    await page.getByTestId('tender-new-open').click();
    // Another template kind reloads the form's terms: works are evaluated at the lowest price, unscored.
    await page.getByTestId('tender-new-kind').selectOption('works');
    expect(await page.getByTestId('tender-new-method').inputValue()).to.equal('lowest_price');
    expect(await page.getByTestId('tender-new-req-r-schedule').inputValue()).to.equal(TEMPLATES.works.requirements[0].text);
    expect(await page.getByTestId('tender-new-weight').count()).to.equal(0);
    await page.getByTestId('tender-new-kind').selectOption('goods');
    await page.getByTestId('tender-new-title').fill(title);
    await page.getByTestId('tender-new-category').fill((await s.tdb.db('catalogue_categories').where({ kind: 'goods' }).first('code')).code);
    await page.getByTestId('tender-new-budget').fill('980000');
    await page.getByTestId('tender-new-description').fill('按标准模板编制');
    // The goods template's terms are loaded and editable.
    expect(await page.getByTestId('tender-new-method').inputValue()).to.equal('comprehensive');
    expect(await page.getByTestId('tender-new-req-r-spec').inputValue()).to.equal(TEMPLATES.goods.requirements[0].text);
    await page.getByTestId('tender-new-req-r-spec').fill('技术参数满足附件一全部要求 BROWSER-REQ');
    await page.getByTestId('tender-new-qual-add').click();
    await page.getByTestId('tender-new-quals').locator('li input').last().fill('近三年具有同类项目业绩 BROWSER-QUAL');
    // Raising the price weight alone leaves the weights at 110: the page says so and sends nothing.
    await page.getByTestId('tender-new-weight').fill('40');
    expect(await page.getByTestId('tender-new-weight-sum').textContent()).to.match(/110/);
    expect(await page.getByTestId('tender-new-weight-error').textContent()).to.match(/110/);
    await page.getByTestId('tender-new-submit').click();
    await page.getByTestId('tender-new-error').getByText(/100/).waitFor();
    expect(posts).to.equal(0);
    expect(await tenderRows().first()).to.equal(undefined);
    await page.getByTestId('tender-new-criterion-technical').fill('30');
    expect(await page.getByTestId('tender-new-weight-error').textContent()).to.equal('');
    // The opening follows the deadline until it is set apart from it.
    await page.getByTestId('tender-new-deadline').fill(shanghai(deadlineMs));
    expect(await page.getByTestId('tender-new-opening').inputValue()).to.equal(shanghai(deadlineMs));
    await page.getByTestId('tender-new-opening').fill(shanghai(openingMs));
    await page.getByTestId('tender-new-submit').click();
    await page.locator('[data-testid=tender-detail][data-status=draft]').waitFor();
    let row = await tenderRows().first();
    expect(row).to.include({ status: 'draft', price_weight: 40, method: 'comprehensive' });
    expect(JSON.parse(row.requirements_json)).to.deep.include({ key: 'r-spec', text: '技术参数满足附件一全部要求 BROWSER-REQ' });
    expect(JSON.parse(row.requirements_json)).to.have.length(TEMPLATES.goods.requirements.length);
    const quals = JSON.parse(row.qualifications_json);
    expect(quals).to.have.length(TEMPLATES.goods.qualifications.length + 1);
    expect(quals.at(-1).text).to.equal('近三年具有同类项目业绩 BROWSER-QUAL');
    expect(quals.at(-1).key).to.match(/^q-\d+$/);
    const weights = (r: typeof row) => Object.fromEntries(JSON.parse(r.criteria_json).map((c: { key: string; weight: number }) => [c.key, c.weight]));
    expect(weights(row)).to.deep.equal({ price: 40, technical: 30, service: 20, experience: 10 });
    expect(isoFromDb(row.bid_deadline)).to.equal(new Date(deadlineMs).toISOString());
    expect(isoFromDb(row.opening_at)).to.equal(new Date(openingMs).toISOString());
    expect(posts).to.equal(1);

    // The draft is edited in the same form: a price weight outside the legal range for goods
    // passes the page's sum check and comes back from the server as a 422.
    await page.getByTestId('tender-edit-open').click();
    expect(await page.getByTestId('tender-edit-weight').inputValue()).to.equal('40');
    expect(await page.getByTestId('tender-edit-kind').isDisabled()).to.equal(true);
    await page.getByTestId('tender-edit-title').fill(`${title}（修订）`);
    await page.getByTestId('tender-edit-weight').fill('25');
    await page.getByTestId('tender-edit-criterion-technical').fill('45');
    await page.getByTestId('tender-edit-submit').click();
    // The refusal reads as a message with the legal range, never the code.
    await page.getByTestId('tender-edit-error').getByText('价格分值应在 30% 至 60% 之间（现为 25%）').waitFor();
    expect(await page.getByTestId('tender-edit-error').textContent()).to.equal('操作失败：价格分值应在 30% 至 60% 之间（现为 25%）');
    await page.getByTestId('tender-edit-weight').fill('40');
    await page.getByTestId('tender-edit-criterion-technical').fill('30');
    await page.getByTestId('tender-edit-criterion-service').fill('15');
    await page.getByTestId('tender-edit-criterion-experience').fill('15');
    await page.getByTestId('tender-edit-submit').click();
    await page.getByRole('heading', { name: `${title}（修订）` }).waitFor();
    row = await s.tdb.db('tenders').where({ id: row.id }).first();
    expect(row.title).to.equal(`${title}（修订）`);
    expect(weights(row)).to.deep.equal({ price: 40, technical: 30, service: 15, experience: 15 });
    // What the form did not change is kept as stored.
    expect(JSON.parse(row.qualifications_json)).to.deep.equal(quals);
    expect(isoFromDb(row.opening_at)).to.equal(new Date(openingMs).toISOString());
    expect(row).to.include({ sme_deduction_pct: TEMPLATES.goods.smeDeductionPct, purchasing_org_id: null });

    await page.getByTestId('tender-publish').click();
    await page.locator('[data-testid=tender-detail][data-status=published]').waitFor();
    const t = await s.tdb.db('tenders').where({ id: row.id }).first();
    expect(t).to.include({ status: 'published', price_weight: 40 });
    expect(Number(t.budget_fen)).to.equal(98_000_000);
    expect(JSON.parse(t.criteria_json).reduce((n: number, c: { weight: number }) => n + c.weight, 0)).to.equal(100);
    await ctx.close();
  });
});
