// npm run cluster, end to end and kept cheap: two nodes on a small city, HAProxy in front (the
// repository's deploy/haproxy.cfg). A user signs in through HAProxy, opens a WebSocket through it,
// a node is killed and requests still succeed, and Ctrl-C stops everything.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { createTestDb, TEST_DIALECT, type TestDb } from '../helpers/db';
import { TestClient } from '../helpers/http';
import { WsClient } from '../helpers/ws';
import { seedDemo } from '../../db/seeds/demo';
import { systemClock } from '../../server/db/time';

const HAPROXY = '/usr/sbin/haproxy';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** n consecutive free ports (the script numbers its nodes from a base port). */
async function freePorts(n: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const free = await Promise.all(Array.from({ length: n }, (_, k) => portFree(base + k)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free ports');
}

describe(`npm run cluster: nodes behind HAProxy (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  let tdb: TestDb;
  let proc: ChildProcess | null = null;
  let dataDir = '';
  let ready: { url: string; nodes: Array<{ id: string; url: string; pid: number }> };
  const output: string[] = [];

  before(async function () {
    if (TEST_DIALECT !== 'mysql') {
      console.warn('  pending: npm run cluster runs on MariaDB: run with DB_CLIENT=mysql');
      return this.skip();
    }
    if (!fs.existsSync(HAPROXY)) {
      console.warn(`  pending: HAProxy is not installed (${HAPROXY}; Debian package haproxy, .ci/run installs it)`);
      return this.skip();
    }
    tdb = await createTestDb();
    await seedDemo(tdb.db, systemClock, { experts: 40, suppliers: 21 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-cluster-'));
    const base = await freePorts(3);
    proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts'], {
      env: { ...process.env, DB_CLIENT: '', DATABASE_URL: tdb.databaseUrl!, PORT: String(base), NODE_BASE_PORT: String(base + 1), NODES: '2', DATA_DIR: dataDir, SEED_DEMO: 'false', CLUSTER_BIND: '127.0.0.1', NODE_ENV: 'test', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`cluster not ready in time:\n${output.slice(-30).join('')}`)), 150_000);
      const onData = (d: Buffer) => {
        output.push(d.toString());
        for (const line of d.toString().split('\n')) {
          if (line.startsWith('{"cluster":"ready"')) {
            clearTimeout(timer);
            resolve(JSON.parse(line));
          }
        }
      };
      proc!.stdout!.on('data', onData);
      proc!.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
      proc!.once('exit', (code) => reject(new Error(`npm run cluster exited (${code}):\n${output.slice(-30).join('')}`)));
    });
  });

  after(async () => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    await tdb?.destroy();
  });

  it('signs in and opens a WebSocket through HAProxy, survives a killed node, and stops on Ctrl-C', async () => {
    expect(ready.nodes.map((n) => n.id)).to.deep.equal(['node-1', 'node-2']);
    const c = new TestClient(ready.url);
    const login = await c.login('purchaser');
    expect(login.status, JSON.stringify(login.body)).to.equal(200);
    const ws = await WsClient.connect(ready.url, c.cookie);
    expect((await ws.next((m) => m.type === 'hello')).user.username).to.equal('purchaser');
    ws.send({ type: 'ping', id: 42 });
    expect((await ws.next((m) => m.type === 'pong')).id).to.equal(42);
    ws.close();
    // The nodes take the client's address from X-Forwarded-For as HAProxy passes it on (TRUST_PROXY):
    // here the "client" is on loopback too, so the address it claims is believed, as a proxy's would be.
    const viaProxy = new TestClient(ready.url);
    expect((await viaProxy.request('POST', '/api/auth/login', { username: 'approver', password: 'Sunshine@2026' }, { 'x-forwarded-for': '203.0.113.7' })).status).to.equal(200);
    // Session ids are keyed hashes (no order): find the approver's session by its user.
    expect((await tdb.db('sessions').join('users', 'users.id', 'sessions.user_id').where('users.username', 'approver').first('sessions.ip')).ip).to.equal('203.0.113.7');

    // A node dies: HAProxy retries on the other, every request is answered.
    process.kill(ready.nodes[1].pid, 'SIGKILL');
    for (let i = 0; i < 6; i++) {
      const r = await c.get('/api/me');
      expect(r.status, `request ${i} after the kill`).to.equal(200);
    }

    // Ctrl-C: HAProxy and the nodes stop, and the command exits cleanly.
    const exited = new Promise<number | null>((resolve) => proc!.once('exit', (code) => resolve(code)));
    proc!.kill('SIGINT');
    expect(await exited).to.equal(0);
    let refused = false;
    try {
      await fetch(ready.url + '/api/health');
    } catch {
      refused = true;
    }
    expect(refused, 'HAProxy still answers after Ctrl-C').to.equal(true);
  });
});
