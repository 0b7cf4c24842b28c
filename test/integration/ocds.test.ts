// OCDS 1.1: every package the API produces validates against the official schemas with the
// bids and auction extensions merged in (server/supervision/ocds/validate.ts).
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { TestServer } from '../helpers/server';
import { ManualClock } from '../../server/db/time';
import { systemActor } from '../../server/http/actor';
import { reconcile } from '../../server/supervision/reports/project-hook';
import { ocdsValidators, EXTENSIONS } from '../../server/supervision/ocds/validate';
import { startReportServer, type Fixture } from './report-fixture';

const errorsOf = (v: { errors?: unknown }) => JSON.stringify(v.errors, null, 1)?.slice(0, 1500);

describe('OCDS 1.1 open data', function () {
  this.timeout(60_000);
  let s: TestServer;
  let fx: Fixture;
  const clock = new ManualClock(Date.UTC(2026, 6, 1, 0, 0, 0));
  // The official schemas kept in ../shared/ocds when that reference set is beside the checkout;
  // otherwise the server's vendored copies (identical: test/unit/ocds-schema-copy.test.ts).
  const reference = path.resolve(process.cwd(), '../shared/ocds');
  const { releasePackage, recordPackage } = ocdsValidators(fs.existsSync(reference) ? reference : undefined);

  before(async () => {
    ({ s, fx } = await startReportServer(clock));
  });
  after(() => s?.stop());

  it('publishes a valid release package with every release type, extensions declared', async () => {
    const r = await s.client().get('/api/ocds/releases?pageSize=1000');
    expect(r.status).to.equal(200);
    expect(releasePackage(r.body), errorsOf(releasePackage)).to.equal(true);
    expect(r.body.extensions).to.deep.equal([EXTENSIONS.bids, EXTENSIONS.auction]);
    // Without PUBLIC_BASE_URL the links name the port the server listens on, not a fixed one.
    expect(r.body.publicationPolicy).to.equal(`http://localhost:${new URL(s.url).port}/portal`);
    const tags = new Set(r.body.releases.flatMap((x: any) => x.tag));
    for (const t of ['planning', 'tender', 'tenderUpdate', 'award', 'contract', 'implementation']) expect(tags.has(t), t).to.equal(true);
    // Oldest first.
    const dates = r.body.releases.map((x: any) => x.date);
    expect(dates).to.deep.equal([...dates].sort());
    // Each release type on its own validates too.
    for (const rel of r.body.releases) expect(releasePackage({ ...r.body, releases: [rel] }), `${rel.id}: ${errorsOf(releasePackage)}`).to.equal(true);
  });

  it('pages and filters by date, with Link and X-Total-Count', async () => {
    const all = await s.client().get('/api/ocds/releases?pageSize=1000');
    const total = all.body.releases.length;
    const p1 = await s.client().get('/api/ocds/releases?pageSize=3');
    expect(p1.headers.get('x-total-count')).to.equal(String(total));
    expect(p1.headers.get('link')).to.contain('page=2');
    expect(p1.body.releases).to.have.length(3);
    const may = await s.client().get('/api/ocds/releases?from=2026-05-01&to=2026-05-31&pageSize=100');
    expect(releasePackage(may.body), errorsOf(releasePackage)).to.equal(true);
    expect(may.body.releases.length).to.be.greaterThan(0);
    for (const rel of may.body.releases) expect(rel.date >= '2026-05-01' && rel.date < '2026-06-01', rel.date).to.equal(true);
  });

  it('an online price competition: method, details, tender.auctions and bids.details', async () => {
    const ocid = `ocds-ygcg01-PRJ-2026-902`;
    const r = await s.client().get(`/api/ocds/records/${ocid}`);
    expect(r.status).to.equal(200);
    expect(recordPackage(r.body), errorsOf(recordPackage)).to.equal(true);
    const c = r.body.records[0].compiledRelease;
    expect(c.tender.procurementMethod).to.equal('open');
    expect(c.tender.procurementMethodDetails).to.equal('Online price competition (网上竞价)');
    expect(c.tender.value).to.deep.equal({ amount: 18000, currency: 'CNY' });
    expect(c.tender.auctions[0]).to.deep.include({ minimalStep: { amount: 100, currency: 'CNY' } });
    expect(c.tender.auctions[0].period).to.deep.equal({ startDate: '2026-04-10T01:00:00.000Z', endDate: '2026-04-10T01:30:00.000Z' });
    // Each bidder's best price, when it was bid.
    const bids = c.bids.details.map((b: any) => [b.tenderers[0].name, b.value.amount, b.status, b.date]);
    const names = await s.tdb.db('suppliers').whereIn('id', [fx.s1, fx.s2]).orderBy('id').pluck('name');
    expect(bids).to.have.deep.members([
      [names[0], 15500, 'valid', '2026-04-10T01:20:00.000Z'],
      [names[1], 15000, 'valid', '2026-04-10T01:25:00.000Z'],
    ]);
    expect(c.awards[0]).to.deep.include({ value: { amount: 15000, currency: 'CNY' }, status: 'active' });
    expect(c.awards[0].relatedBids).to.have.length(1);
    expect(c.parties.find((p: any) => p.roles.includes('supplier')).name).to.equal(names[1]);
  });

  it('a public tender: sealed bids never appear, invalid bids are disqualified', async () => {
    const r = await s.client().get('/api/ocds/records/ocds-ygcg01-PRJ-2026-903');
    expect(recordPackage(r.body), errorsOf(recordPackage)).to.equal(true);
    const c = r.body.records[0].compiledRelease;
    expect(c.tender.procurementMethod).to.equal('open');
    expect(c.bids.details.map((b: any) => [b.status, b.value?.amount])).to.deep.equal([['valid', 80000], ['valid', 85000], ['disqualified', 70000]]);
    expect(c.tender.numberOfTenderers).to.equal(3);
    expect(c.parties.filter((p: any) => p.roles.includes('tenderer'))).to.have.length(3);
  });

  it('the whole life of a project: planning to implementation, compiled', async () => {
    const r = await s.client().get('/api/ocds/records/ocds-ygcg01-PRJ-2026-901');
    expect(recordPackage(r.body), errorsOf(recordPackage)).to.equal(true);
    const rec = r.body.records[0];
    expect(rec.releases.map((x: any) => x.tag[0])).to.deep.equal(['planning', 'tender', 'award', 'contract', 'implementation']);
    const c = rec.compiledRelease;
    expect(c.tag).to.deep.equal(['compiled']);
    expect(c.tender.procurementMethod).to.equal('limited');
    expect(c.tender.items).to.have.length(2);
    expect(c.tender.items[0].classification).to.include({ scheme: 'CN-GPC', id: 'A02010104' });
    expect(c.awards[0].value).to.deep.equal({ amount: 63000.01, currency: 'CNY' });
    expect(c.contracts[0]).to.include({ id: 'CON-2026-901', dateSigned: '2026-04-20T00:00:00.000Z' });
    expect(c.contracts[0].implementation.transactions[0]).to.deep.include({ id: 'PAY-2026-901', value: { amount: 63000.01, currency: 'CNY' } });
    expect(c.tender.milestones.map((m: any) => m.status)).to.deep.equal(['met', 'met', 'met', 'scheduled']);
    expect(c.parties.find((p: any) => p.id === c.buyer.id).roles).to.deep.equal(['buyer', 'payer']);
    expect(c.parties.find((p: any) => p.id === c.awards[0].suppliers[0].id).roles).to.deep.equal(['tenderer', 'supplier', 'payee']);
    // The portal's award and contract notices are the releases' documents.
    expect(c.awards[0].documents.map((d: any) => d.documentType)).to.deep.equal(['awardNotice']);
    expect(c.awards[0].documents[0].url).to.match(/\/portal\/notices\/\d+$/);
    expect(c.contracts[0].documents.map((d: any) => d.documentType)).to.deep.equal(['contractNotice']);
  });

  it('a failed procedure publishes an unsuccessful tender; releases are snapshots and are not duplicated', async () => {
    const r = await s.client().get('/api/ocds/records/ocds-ygcg01-PRJ-2026-904');
    expect(recordPackage(r.body), errorsOf(recordPackage)).to.equal(true);
    expect(r.body.records[0].compiledRelease.tender.status).to.equal('unsuccessful');
    const before = await s.tdb.db('ocds_releases').count({ n: '*' }).first();
    await s.tdb.db('report_state').del();
    await reconcile(s.tdb.db, systemActor('test', clock));
    const after = await s.tdb.db('ocds_releases').count({ n: '*' }).first();
    expect(Number(after!.n)).to.equal(Number(before!.n));
    expect((await s.client().get('/api/ocds/records/ocds-ygcg01-PRJ-2026-999')).status).to.equal(404);
  });
});

describe('OCDS links use PUBLIC_BASE_URL', function () {
  this.timeout(60_000);
  let s: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 6, 1, 0, 0, 0));
  const base = 'https://cg.example.gov.cn/sunshine';
  before(async () => {
    ({ s } = await startReportServer(clock, { PUBLIC_BASE_URL: `${base}/` }));
  });
  after(() => s?.stop());

  it('documents, auctions, packages and records point at the configured address', async () => {
    const r = await s.client().get('/api/ocds/releases?pageSize=1000');
    expect(r.status).to.equal(200);
    expect(r.body.uri.startsWith(`${base}/api/ocds/releases?`)).to.equal(true);
    expect(r.body.publicationPolicy).to.equal(`${base}/portal`);
    const urls: string[] = [];
    const walk = (x: unknown, key = ''): void => {
      if (Array.isArray(x)) x.forEach((y) => walk(y, key));
      else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) walk(v, k);
      else if (typeof x === 'string' && (key === 'url' || key === 'source') && /^https?:/.test(x)) urls.push(x);
    };
    walk(r.body.releases);
    const docs = r.body.releases.flatMap((x: any) => [...(x.tender?.documents ?? []), ...(x.awards ?? []).flatMap((a: any) => a.documents ?? [])]);
    const auctions = r.body.releases.flatMap((x: any) => x.tender?.auctions ?? []);
    expect(docs.length).to.be.greaterThan(0);
    expect(auctions.length).to.be.greaterThan(0);
    expect(auctions.every((a: any) => a.url.startsWith(`${base}/auctions/`)), JSON.stringify(auctions.map((a: any) => a.url))).to.equal(true);
    const ours = urls.filter((u) => !u.startsWith('https://creativecommons.org'));
    expect(ours.length).to.be.greaterThan(0);
    expect(ours.filter((u) => !u.startsWith(`${base}/`))).to.deep.equal([]);
    expect(JSON.stringify(r.body)).to.not.include('localhost');
    const rec = await s.client().get(`/api/ocds/records/${encodeURIComponent(r.body.releases[0].ocid)}`);
    expect(rec.body.uri.startsWith(`${base}/api/ocds/records/`)).to.equal(true);
  });
});
