// First start: the demo seed (every module's, ours last) leaves reports with data, a non-empty
// and valid OCDS feed, and results on the portal.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { ocdsValidators } from '../../server/supervision/ocds/validate';

describe('reports, portal and OCDS on the demo data', function () {
  this.timeout(120_000);
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ seed: 'demo' });
  });
  after(() => s?.stop());

  it('has report data, results, and a valid OCDS feed', async () => {
    const finance = await s.as('finance');
    const spend = await finance.get('/api/reports/spend?by=method');
    expect(spend.body.rows.length).to.be.greaterThan(0);
    expect(spend.body.totals.awardFen).to.be.greaterThan(0);
    const results = await s.client().get('/api/portal/results');
    expect(results.body.total).to.be.greaterThan(0);
    const feed = await s.client().get('/api/ocds/releases?pageSize=1000');
    expect(feed.body.releases.length).to.be.greaterThan(0);
    const { releasePackage, recordPackage } = ocdsValidators();
    expect(releasePackage(feed.body), JSON.stringify(releasePackage.errors)?.slice(0, 1000)).to.equal(true);
    for (const ocid of new Set<string>(feed.body.releases.map((r: any) => r.ocid))) {
      const rec = await s.client().get(`/api/ocds/records/${ocid}`);
      expect(recordPackage(rec.body), `${ocid}: ${JSON.stringify(recordPackage.errors)?.slice(0, 1000)}`).to.equal(true);
    }
    const stats = await s.client().get('/api/portal/stats');
    expect(stats.body.awardedProjects).to.be.greaterThan(0);
  });
});
