// The finance link's HMAC signature and the money parsing of the workflow forms.
import { expect } from 'chai';
import { sign, signedHeaders, verify, bodyHash } from '../../server/core/finance/signature';
import { backoffMs, RETRY_BASE_MS, RETRY_MAX_MS } from '../../server/core/finance/outbox';
import { yuanToFen } from '../../client/src/views/workflow/money';

describe('finance link: signatures', () => {
  const secret = 'shared-secret';
  const now = new Date('2026-03-02T01:00:00Z');
  const body = { fiscalYear: 2026, allocations: [{ budgetLineCode: 'X', orgCode: 'PU01', name: 'n', economicClass: '302', allocatedFen: 100 }] };

  it('signs the canonical body, so key order does not matter', () => {
    const reordered = { allocations: [{ allocatedFen: 100, economicClass: '302', name: 'n', orgCode: 'PU01', budgetLineCode: 'X' }], fiscalYear: 2026 };
    expect(sign(secret, now.toISOString(), 'r1', body)).to.equal(sign(secret, now.toISOString(), 'r1', reordered));
    expect(bodyHash(body)).to.equal(bodyHash(reordered));
    expect(verify(secret, signedHeaders(secret, 'r1', body, now), reordered, now)).to.equal(null);
  });

  it('rejects another secret, another body, another request id, a stale time and missing headers', () => {
    const h = signedHeaders(secret, 'r1', body, now);
    expect(verify('other', h, body, now)).to.equal('MISMATCH');
    expect(verify(secret, h, { ...body, fiscalYear: 2027 }, now)).to.equal('MISMATCH');
    expect(verify(secret, { ...h, 'x-finance-request-id': 'r2' }, body, now)).to.equal('MISMATCH');
    expect(verify(secret, h, body, new Date(now.getTime() + 6 * 60_000))).to.equal('STALE');
    expect(verify(secret, {}, body, now)).to.equal('MISSING');
    expect(verify(secret, { ...h, 'x-finance-signature': 'zz' }, body, now)).to.equal('MISSING');
  });

  it('backs off exponentially up to an hour', () => {
    expect(backoffMs(1)).to.equal(RETRY_BASE_MS);
    expect(backoffMs(2)).to.equal(2 * RETRY_BASE_MS);
    expect(backoffMs(5)).to.equal(16 * RETRY_BASE_MS);
    expect(backoffMs(30)).to.equal(RETRY_MAX_MS);
  });
});

describe('workflow forms: yuan to fen', () => {
  it('parses yuan exactly into integer fen', () => {
    expect(yuanToFen('3200.50')).to.equal(320_050);
    expect(yuanToFen('0.1')).to.equal(10);
    expect(yuanToFen('0.29')).to.equal(29); // 0.29 * 100 is 28.999… in floating point
    expect(yuanToFen('1,234,567.89')).to.equal(123_456_789);
    expect(yuanToFen(' 12 ')).to.equal(1_200);
    expect(yuanToFen('12.')).to.equal(1_200);
    for (const bad of ['', '1.234', '-5', 'abc', '1e3']) expect(yuanToFen(bad), bad).to.equal(null);
  });
});
