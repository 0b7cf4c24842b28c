import { expect } from 'chai';
import { hashPassword, verifyPassword } from '../../server/http/auth/passwords';
import { LoginRateLimiter } from '../../server/http/auth/rate-limit';
import { ManualClock } from '../../server/db/time';
import { parseCookies } from '../../server/http/auth/sessions';

describe('passwords (scrypt)', () => {
  it('verifies the right password and rejects others', async () => {
    const h = await hashPassword('correct horse');
    expect(h).to.match(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse', h)).to.equal(true);
    expect(await verifyPassword('correct horsE', h)).to.equal(false);
    expect(await verifyPassword('x', 'md5$abc')).to.equal(false);
  });
  it('salts every hash', async () => {
    expect(await hashPassword('same')).to.not.equal(await hashPassword('same'));
  });
});

describe('login rate limiter', () => {
  it('blocks an account after 5 failures for 15 minutes, then lets it try again', async () => {
    const clock = new ManualClock();
    const l = new LoginRateLimiter(clock);
    for (let i = 0; i < 5; i++) {
      expect(await l.retryAfter('1.1.1.1', 'bob')).to.equal(0);
      await l.fail('1.1.1.1', 'bob');
    }
    expect(await l.retryAfter('1.1.1.1', 'bob')).to.be.greaterThan(0);
    expect(await l.retryAfter('1.1.1.1', 'alice')).to.equal(0);
    clock.advance(15 * 60_000 + 1);
    expect(await l.retryAfter('1.1.1.1', 'bob')).to.equal(0);
  });
  it('blocks an IP that tries many accounts', async () => {
    const l = new LoginRateLimiter(new ManualClock());
    for (let i = 0; i < 30; i++) await l.fail('2.2.2.2', `user${i}`);
    expect(await l.retryAfter('2.2.2.2', 'fresh')).to.be.greaterThan(0);
  });
});

describe('cookie parsing', () => {
  it('reads cookies and keeps the first of duplicates', () => {
    expect(parseCookies('a=1; sp_sid=abc%3D; a=2')).to.deep.equal({ a: '1', sp_sid: 'abc=' });
    expect(parseCookies(undefined)).to.deep.equal({});
  });
});
