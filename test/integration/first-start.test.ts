// The README's first command, as a new user runs it: `npm start` on a fresh data folder, with the
// real clock of the day the suite runs. The server must come up with the whole demo city, and
// every demo account must find its work waiting. On MariaDB too (a fresh database).
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { TEST_DIALECT } from '../helpers/db';
import { TestClient } from '../helpers/http';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Each demo account and what its first screen must offer (a count above zero). */
const WORK: Array<[string, string, (b: any) => number]> = [
  ['purchaser', '/api/requisitions?pageSize=1', (b) => b.total],
  ['approver', '/api/approvals/inbox', (b) => b.total],
  ['finance', '/api/approvals/inbox', (b) => b.total],
  ['operator', '/api/approvals/inbox', (b) => b.total],
  ['supplier', '/api/auctions?pageSize=50', (b) => b.items.filter((a: any) => a.status === 'running' || a.status === 'announced').length],
  ['expert', '/api/my/invitations', (b) => b.items.filter((i: any) => i.status === 'pending').length],
  ['supervisor', '/api/supervision/alerts?pageSize=1', (b) => b.total],
  ['admin', '/api/audit/events?pageSize=1', (b) => b.total ?? b.items.length],
];

describe(`first start as the README says: npm start (${TEST_DIALECT})`, function () {
  this.timeout(300_000);
  let child: ChildProcess | null = null;
  let output = '';
  let base = '';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-first-start-'));
  const mysqlName = `sp_first_${process.pid}`;
  const adminUrl = new URL(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const mysqlAdmin = () => knexFactory({ client: 'mysql2', connection: { host: adminUrl.hostname, port: Number(adminUrl.port || 3306), user: decodeURIComponent(adminUrl.username), password: decodeURIComponent(adminUrl.password) } });

  before(async () => {
    const port = await freePort();
    const env: Record<string, string> = { ...(process.env as Record<string, string>), PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'info' };
    delete env.DB_CLIENT;
    delete env.DATABASE_URL;
    if (TEST_DIALECT === 'mysql') {
      const admin = mysqlAdmin();
      await admin.raw(`DROP DATABASE IF EXISTS \`${mysqlName}\``);
      await admin.raw(`CREATE DATABASE \`${mysqlName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await admin.destroy();
      const url = new URL(adminUrl.toString());
      url.pathname = `/${mysqlName}`;
      env.DB_CLIENT = 'mysql';
      env.DATABASE_URL = url.toString();
    }
    startEnv = env;
    base = `http://127.0.0.1:${port}`;
    await start();
  });

  let startEnv: Record<string, string> = {};
  /** `npm start`, waiting for the state (the server answering), not for a time. */
  async function start() {
    output = '';
    // detached: its own process group, so npm, the build and the server stop together.
    child = spawn('npm', ['start'], { cwd: ROOT, env: startEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    let exited: number | null = null;
    child.on('exit', (code) => (exited = code ?? -1));
    for (;;) {
      if (exited !== null) throw new Error(`npm start exited with ${exited}:\n${output.slice(-3000)}`);
      try {
        const r = await fetch(`${base}/api/health`);
        if (r.status === 200) break;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  async function stop() {
    if (!child?.pid) return;
    const c = child;
    child = null;
    try {
      process.kill(-c.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    if (c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once('exit', r));
  }

  after(async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (TEST_DIALECT === 'mysql') {
      const admin = mysqlAdmin();
      await admin.raw(`DROP DATABASE IF EXISTS \`${mysqlName}\``);
      await admin.destroy();
    }
  });

  it('comes up on today\'s date with the demo city loaded, and says so in its log', async () => {
    expect(output).to.match(/demo data loaded/);
    expect(output).to.not.match(/Start-up failed/);
    const health = await (await fetch(`${base}/api/health`)).json();
    expect(health.status).to.equal('ok');
    expect(Math.abs(Date.parse(health.serverTime) - Date.now())).to.be.lessThan(60_000); // the real clock
    const page = await fetch(`${base}/`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.match(/<div id="app"|<script/);
  });

  for (const [username, route, work] of WORK) {
    it(`lets ${username} sign in and find work waiting`, async () => {
      const c = new TestClient(base);
      const login = await c.login(username);
      expect(login.status, JSON.stringify(login.body)).to.equal(200);
      const r = await c.get(route);
      expect(r.status, `${route}: ${JSON.stringify(r.body).slice(0, 300)}`).to.equal(200);
      expect(work(r.body), `${username} ${route}`).to.be.greaterThan(0);
      // The home page (工作台) lists it: at least one kind of work with something to do.
      const home = await c.get('/api/home');
      expect(home.status).to.equal(200);
      expect(home.body.items.filter((i: any) => i.count > 0).length, `${username} home: ${JSON.stringify(home.body.items)}`).to.be.greaterThan(0);
    });
  }

  it('keeps the city on the next start: nothing seeded twice, nothing lost', async () => {
    const c = new TestClient(base);
    await c.login('purchaser');
    const before = (await c.get('/api/requisitions?pageSize=1')).body.total;
    await stop();
    await start();
    expect(output).to.not.match(/demo data loaded/);
    const again = new TestClient(base);
    expect((await again.login('purchaser')).status).to.equal(200);
    expect((await again.get('/api/requisitions?pageSize=1')).body.total).to.equal(before);
  });
});
