import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ROLES } from '../../server/http/actor';
import { DEMO_ACCOUNTS } from '../../db/seeds/demo-accounts';

describe(`HTTP API foundation (${TEST_DIALECT})`, () => {
  let s: TestServer;
  before(async () => (s = await startTestServer()));
  after(() => s.stop());

  it('GET /api/health reports the dialect', async () => {
    const r = await s.client().get('/api/health');
    expect(r.status).to.equal(200);
    expect(r.body).to.include({ status: 'ok', db: TEST_DIALECT });
  });

  it('sets security headers and echoes a request id', async () => {
    const r = await s.client().request('GET', '/api/health', undefined, { 'x-request-id': 'req-12345678' });
    expect(r.headers.get('x-request-id')).to.equal('req-12345678');
    expect(r.headers.get('content-security-policy')).to.include("default-src 'self'");
    expect(r.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(r.headers.get('x-frame-options')).to.equal('DENY');
    expect(r.headers.get('x-powered-by')).to.equal(null);
    const gen = await s.client().request('GET', '/api/health', undefined, { 'x-request-id': 'bad id!' });
    expect(gen.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('publishes an OpenAPI document built from the route schemas', async () => {
    const r = await s.client().get('/api/openapi.json');
    expect(r.status).to.equal(200);
    expect(r.body.openapi).to.equal('3.1.0');
    const login = r.body.paths['/api/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).to.deep.equal(['username', 'password']);
    expect(r.body.paths['/api/budget-lines/{id}'].get['x-roles']).to.include('finance');
    for (const def of s.platform.routes) expect(r.body.paths[def.path.replace(/:(\w+)/g, '{$1}')][def.method], def.path).to.exist;
  });

  it('answers one error shape: malformed JSON 400, schema 400 with details, unknown 404', async () => {
    const bad = await s.client().post('/api/auth/login', '{"username": ', { 'content-type': 'application/json' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('MALFORMED_JSON');
    const invalid = await s.client().post('/api/auth/login', { username: '', extra: 1 });
    expect(invalid.status).to.equal(400);
    expect(invalid.body.error.code).to.equal('VALIDATION_FAILED');
    expect(invalid.body.error.details).to.be.an('array').that.is.not.empty;
    expect(invalid.body.error.details[0]).to.have.keys('in', 'path', 'message', 'params');
    const nf = await s.client().get('/api/nothing-here');
    expect(nf.status).to.equal(404);
    expect(nf.body.error).to.include({ code: 'NOT_FOUND' });
    const c = await s.as('finance');
    const q = await c.get('/api/budget-lines?pageSize=5000');
    expect(q.status).to.equal(400);
    expect(q.body.error.details[0].in).to.equal('query');
    const unknownQ = await c.get('/api/budget-lines?sneaky=1');
    expect(unknownQ.status).to.equal(400);
  });

  it('rejects bodies over the limit', async () => {
    const r = await s.client().post('/api/auth/login', { username: 'x', password: 'y'.repeat(2_000_000) });
    expect(r.status).to.equal(413);
    expect(r.body.error.code).to.equal('PAYLOAD_TOO_LARGE');
  });

  it('requires login (401) and the right role (403) on every protected route', async () => {
    const anon = s.client();
    const clients = Object.fromEntries(await Promise.all(DEMO_ACCOUNTS.map(async (a) => [a.role, await s.as(a.username)] as const)));
    let checked = 0;
    for (const def of s.platform.routes) {
      if (def.roles === 'public') continue;
      const path = def.path.replace(/:(\w+)/g, '1');
      const method = def.method.toUpperCase();
      const r401 = await anon.request(method, path, method === 'GET' ? undefined : {});
      expect(r401.status, `${method} ${path} anonymous`).to.equal(401);
      if (def.roles === 'authenticated') continue;
      for (const role of ROLES.filter((x) => !(def.roles as readonly string[]).includes(x))) {
        const r = await clients[role].request(method, path, method === 'GET' ? undefined : {});
        expect(r.status, `${method} ${path} as ${role}`).to.equal(403);
        expect(r.body.error.code).to.equal('FORBIDDEN');
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(10);
  });

  it('logs in with a session cookie, serves /api/me, and logs out', async () => {
    const c = s.client();
    const r = await c.login('purchaser');
    expect(r.status).to.equal(200);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).to.match(/sp_sid=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    const me = await c.get('/api/me');
    expect(me.body.user).to.include({ username: 'purchaser' });
    expect(me.body.user.roles).to.deep.equal(['purchaser']);
    expect(me.body.user).to.not.have.property('passwordHash');
    expect(me.body.csrfToken).to.equal(c.csrf);
    // Only the HMAC of the cookie token is stored.
    const token = decodeURIComponent(c.cookie.split('=')[1]);
    const rows = await s.tdb.db('sessions').select('id');
    expect(rows.map((x: { id: string }) => x.id)).to.not.include(token);
    expect((await c.post('/api/auth/logout')).status).to.equal(204);
    expect((await c.get('/api/me')).status).to.equal(401);
    const events = await s.tdb.db('audit_events').whereIn('action', ['auth.login', 'auth.logout']).select('action');
    expect(events.map((e: { action: string }) => e.action)).to.include.members(['auth.login', 'auth.logout']);
  });

  it('refuses wrong passwords with 401 and rate-limits repeated failures with 429', async () => {
    const c = s.client();
    const r = await c.post('/api/auth/login', { username: 'operator', password: 'wrong' });
    expect(r.status).to.equal(401);
    expect(r.body.error.code).to.equal('INVALID_CREDENTIALS');
    for (let i = 0; i < 4; i++) await c.post('/api/auth/login', { username: 'operator', password: 'wrong' });
    const limited = await c.post('/api/auth/login', { username: 'operator', password: 'Sunshine@2026' });
    expect(limited.status).to.equal(429);
    expect(limited.body.error.code).to.equal('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0);
  });

  it('needs the CSRF header for cookie-authenticated writes, and a same-origin Origin for login', async () => {
    const c = await s.as('supervisor');
    const r = await c.request('POST', '/api/auth/logout', undefined, { 'x-csrf-token': 'forged' });
    expect(r.status).to.equal(403);
    expect(r.body.error.code).to.equal('CSRF_FAILED');
    expect((await c.get('/api/me')).status).to.equal(200); // nothing happened
    const cross = await s.client().post('/api/auth/login', { username: 'supervisor', password: 'Sunshine@2026' }, { origin: 'https://evil.example' });
    expect(cross.status).to.equal(403);
    expect(cross.body.error.code).to.equal('ORIGIN_MISMATCH');
  });

  it('a failed request writes nothing', async () => {
    const before = await s.tdb.db('audit_events').count({ n: '*' }).first();
    const sessionsBefore = await s.tdb.db('sessions').count({ n: '*' }).first();
    await s.client().post('/api/auth/login', { username: 'nobody', password: 'x' });
    await s.client().post('/api/auth/login', { username: 'admin' });
    expect(Number((await s.tdb.db('audit_events').count({ n: '*' }).first())!.n)).to.equal(Number(before!.n));
    expect(Number((await s.tdb.db('sessions').count({ n: '*' }).first())!.n)).to.equal(Number(sessionsBefore!.n));
  });

  it('scopes budget lines: a purchaser sees only its own unit, finance sees the city', async () => {
    const p = await s.as('purchaser');
    const mine = await p.get('/api/budget-lines?pageSize=200');
    const me = await p.get('/api/me');
    expect(mine.body.total).to.be.greaterThan(0);
    for (const b of mine.body.items) expect(b.orgId).to.equal(me.body.user.orgId);
    const other = (await s.tdb.db('budget_lines').whereNot({ org_id: me.body.user.orgId }).first()).id;
    expect((await p.get(`/api/budget-lines/${other}`)).status).to.equal(404);
    const f = await s.as('finance');
    const all = await f.get('/api/budget-lines?pageSize=200');
    expect(all.body.total).to.be.greaterThan(mine.body.total);
    const b = all.body.items[0];
    expect(b.availableFen).to.equal(b.allocatedFen - b.frozenFen - b.spentFen);
    expect(Number.isInteger(b.allocatedFen)).to.equal(true);
  });
});

describe(`production mode (${TEST_DIALECT})`, () => {
  let s: TestServer;
  before(async () => (s = await startTestServer({ env: { NODE_ENV: 'production', SECURE_COOKIES: 'true' } })));
  after(() => s.stop());

  it('refuses the demo passwords and marks cookies Secure', async () => {
    const r = await s.client().post('/api/auth/login', { username: 'admin', password: 'Sunshine@2026' });
    expect(r.status).to.equal(403);
    expect(r.body.error.code).to.equal('DEMO_PASSWORD_REFUSED');
    const { hashPassword } = await import('../../server/http/auth/passwords');
    await s.tdb.db('users').where({ username: 'admin' }).update({ password_hash: await hashPassword('A-real-admin-passphrase-2026'), is_demo: false });
    const ok = await s.client().post('/api/auth/login', { username: 'admin', password: 'A-real-admin-passphrase-2026' });
    expect(ok.status).to.equal(200);
    expect(ok.headers.get('set-cookie')).to.include('Secure');
    expect(ok.headers.get('strict-transport-security')).to.include('max-age=');
  });
});
