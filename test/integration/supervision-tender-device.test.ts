// The same-device red flag (SV04) on a public tender: sealed bids carry the browser's device id
// (as auction joins and bids do), stored with the bid and in its `bid.submitted` event, so two
// suppliers bidding from one device are flagged even when their IP addresses differ.
import { expect } from 'chai';
import http from 'node:http';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import type { Res } from '../helpers/http';
import { withTx } from '../../server/db/tx';
import { systemClock } from '../../server/db/time';
import type { RuleEngine } from '../../server/supervision/engine/engine';
import { sealBid, randomHex } from '../../client/src/views/tendering/sealing';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { ensureSupplierUsers } from '../../server/execution/tendering/demo-users';

const DAY = 86_400_000;

describe(`supervision: same device across sealed tender bids (${TEST_DIALECT})`, function () {
  this.timeout(60_000);
  let s: TestServer;
  let engine: RuleEngine;
  let suppliers: Array<{ userId: number; supplierId: number; username: string }>;

  before(async () => {
    s = await startTestServer();
    engine = (s.platform.modules.find((m) => m.name === 'supervision') as unknown as { engine: RuleEngine }).engine;
    suppliers = await withTx(s.tdb.db, (tx) => ensureSupplierUsers(tx, systemClock, 3));
    expect(suppliers).to.have.length(3);
  });
  after(() => s?.stop());

  const publishTender = async (title: string): Promise<number> => {
    const op = await s.as('operator');
    const tpl = TEMPLATES.goods;
    const deadline = new Date(Date.now() + 21 * DAY).toISOString();
    const category = (await s.tdb.db('catalogue_categories').where({ kind: 'goods', framework_agreement: false }).orderBy('code').first('code')).code;
    const created = await op.post('/api/tenders', { title, kind: 'goods', categoryCode: category, budgetFen: 120_000_000, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: '设备指纹测试', requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline, openingAt: deadline });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const published = await op.post(`/api/tenders/${created.body.id}/publish`);
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    return Number(created.body.id);
  };

  /**
   * One supplier seals and submits its bid from the given loopback address (the server listens on
   * 127.0.0.1; Linux routes all of 127/8 to it, so each bidder has its own source IP), with the
   * device id in the body as the bid panel sends it.
   */
  const bidFrom = async (tenderId: number, who: (typeof suppliers)[number], ip: string, deviceId?: string): Promise<Res> => {
    const c = await s.as(who.username);
    const sealed = sealBid({ tenderId, supplierId: who.supplierId, priceFen: 100_000_000 + who.supplierId, responses: { 'r-spec': 'ok' }, attachments: [] }, { keyHex: randomHex(32) });
    const payload = JSON.stringify({ envelope: sealed.envelope, digest: sealed.digest, ...(deviceId ? { deviceId } : {}) });
    const url = new URL(s.url);
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: `/api/tenders/${tenderId}/bids`, method: 'POST', localAddress: ip, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), cookie: c.cookie, 'x-csrf-token': c.csrf } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, headers: new Headers() }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  };
  const sv04 = async (tenderId: number) => s.tdb.db('sv_alerts').where({ process_key: `tender:${tenderId}`, rule_code: 'SV04' }).first();

  it('flags two suppliers who submit sealed bids to one tender from different IPs but the same device', async () => {
    const id = await publishTender('同设备投标测试');
    const [a, b] = suppliers;
    for (const [who, ip] of [[a, '127.0.0.2'], [b, '127.0.0.3']] as const) {
      const r = await bidFrom(id, who, ip, 'shared-laptop-07');
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
    }
    await engine.idle();

    // Stored with the bid and in its audit event, beside the (distinct) IP addresses.
    const rows = await s.tdb.db('tender_bids').where({ tender_id: id }).orderBy('id').select('supplier_id', 'submitted_ip', 'submitted_device');
    expect(rows.map((r: any) => [Number(r.supplier_id), r.submitted_ip, r.submitted_device])).to.deep.equal([
      [a.supplierId, '127.0.0.2', 'shared-laptop-07'],
      [b.supplierId, '127.0.0.3', 'shared-laptop-07'],
    ]);
    const events = await s.tdb.db('audit_events').where({ action: 'bid.submitted', entity_type: 'tender', entity_id: String(id) }).orderBy('seq').select('after_json');
    expect(events.map((e: any) => JSON.parse(e.after_json)).map((x: any) => [x.supplierId, x.ip, x.deviceId])).to.deep.equal([
      [a.supplierId, '127.0.0.2', 'shared-laptop-07'],
      [b.supplierId, '127.0.0.3', 'shared-laptop-07'],
    ]);

    const alert = await sv04(id);
    expect(alert, 'SV04 alert on the tender').to.not.equal(undefined);
    // The device alone: the IPs differ, so there is no IP group.
    expect(JSON.parse(alert.evidence_json).groups).to.deep.equal([{ kind: 'device', value: 'shared-laptop-07', suppliers: [String(a.supplierId), String(b.supplierId)].sort() }]);
  });

  it('does not flag suppliers bidding from distinct devices and IPs, nor a bid sent without a device id', async () => {
    const id = await publishTender('不同设备投标测试');
    const [a, b, c] = suppliers;
    expect((await bidFrom(id, a, '127.0.0.2', 'laptop-a')).status).to.equal(201);
    expect((await bidFrom(id, b, '127.0.0.3', 'laptop-b')).status).to.equal(201);
    expect((await bidFrom(id, c, '127.0.0.4')).status).to.equal(201); // an older page or a script: no device id
    await engine.idle();
    expect((await s.tdb.db('tender_bids').where({ tender_id: id, supplier_id: c.supplierId }).first('submitted_device')).submitted_device).to.equal(null);
    expect(await sv04(id)).to.equal(undefined);
    // A device id longer than the auction's limit (64) is refused like any invalid body.
    const long = await bidFrom(id, a, '127.0.0.2', 'x'.repeat(65));
    expect([long.status, long.body.error.code]).to.deep.equal([400, 'VALIDATION_FAILED']);
  });
});
