// npm run cluster — the platform as a cluster on this machine: NODES (3) server processes on one
// MariaDB database (sunshine_cluster, created if absent, the demo city seeded once by the first
// node), Redis at 127.0.0.1:6379 as the bus, and HAProxy in front (deploy/haproxy.cfg). Prints the
// URL; Ctrl-C stops everything. README "Running as a cluster".
//
// Settings (environment): PORT (HAProxy, 8080), NODES (3), NODE_BASE_PORT (3101: nodes listen on
// 3101, 3102, ...), DATABASE_URL (mysql://root@127.0.0.1:3306/sunshine_cluster), REDIS_URL
// (redis://127.0.0.1:6379), DATA_DIR (./data/cluster: the shared secrets, generated once into
// cluster-secrets.json unless SEAL_KEY, SESSION_SECRET, FINANCE_HMAC_SECRET are given, and each
// node's own directory), SEED_DEMO (true), HAPROXY (/usr/sbin/haproxy).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { mysqlServer } from '../server/db/knex';
import knexFactory from 'knex';
import { Redis } from 'ioredis';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const PORT = Number(env.PORT ?? 8080);
const NODES = Number(env.NODES ?? 3);
const NODE_BASE_PORT = Number(env.NODE_BASE_PORT ?? 3101);
const DATABASE_URL = env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/sunshine_cluster';
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATA_DIR = path.resolve(env.DATA_DIR ?? path.join(ROOT, 'data', 'cluster'));
const HAPROXY = env.HAPROXY ?? '/usr/sbin/haproxy';
const SEED_DEMO = env.SEED_DEMO ?? 'true';
const READY_TIMEOUT_MS = Number(env.CLUSTER_READY_TIMEOUT_MS ?? 600_000); // the first start seeds a whole city

const say = (msg: string) => console.log(`[cluster] ${msg}`);
const children: Array<{ name: string; proc: ChildProcess }> = [];
let stopping = false;

function fail(msg: string): never {
  console.error(`[cluster] ${msg}`);
  void stopAll(1);
  throw new Error(msg);
}

/** The secrets every node shares: given, or generated once and kept (mode 0600) under DATA_DIR. */
function sharedSecrets(): Record<string, string> {
  const file = path.join(DATA_DIR, 'cluster-secrets.json');
  const stored: Record<string, string> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const gen: Record<string, () => string> = {
    SEAL_KEY: () => crypto.randomBytes(32).toString('hex'),
    SESSION_SECRET: () => crypto.randomBytes(32).toString('hex'),
    FINANCE_HMAC_SECRET: () => crypto.randomBytes(32).toString('hex'),
    AUDIT_SIGNING_KEY: () => crypto.randomBytes(32).toString('hex'),
  };
  const out: Record<string, string> = {};
  let changed = false;
  for (const [k, make] of Object.entries(gen)) {
    if (env[k]) out[k] = env[k]!;
    else {
      if (!stored[k]) {
        stored[k] = make();
        changed = true;
      }
      out[k] = stored[k];
    }
  }
  if (changed) fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return out;
}

async function ensureDatabase(): Promise<void> {
  const url = new URL(DATABASE_URL);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) fail(`DATABASE_URL names no usable database (${name || 'none'})`);
  const admin = knexFactory({ client: 'mysql2', connection: mysqlServer(url) });
  try {
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } catch (err) {
    fail(`cannot reach MariaDB at ${url.host} to create ${name}: ${(err as Error).message}`);
  } finally {
    await admin.destroy();
  }
}

async function checkRedis(): Promise<void> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    fail(`cannot reach Redis at ${REDIS_URL} (${(err as Error).message}); start it with: redis-server --daemonize yes`);
  } finally {
    r.disconnect();
  }
}

function startNode(i: number, secrets: Record<string, string>): ChildProcess {
  const nodeDir = path.join(DATA_DIR, `node-${i}`);
  fs.mkdirSync(nodeDir, { recursive: true });
  const nodeEnv: Record<string, string> = {
    ...(env as Record<string, string>),
    ...secrets,
    PORT: String(NODE_BASE_PORT + i - 1),
    HOST: '127.0.0.1',
    DATABASE_URL,
    REDIS_URL,
    NODE_ID: `node-${i}`,
    DATA_DIR: nodeDir,
    // Only the first node seeds (it starts alone; the others start once it is ready).
    SEED_DEMO: i === 1 ? SEED_DEMO : 'false',
    TRUST_PROXY: 'loopback',
    PUBLIC_BASE_URL: env.PUBLIC_BASE_URL ?? `http://localhost:${PORT}`,
  };
  delete nodeEnv.DB_CLIENT;
  delete nodeEnv.NODES;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env: nodeEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[node-${i}] `;
  for (const stream of [proc.stdout!, proc.stderr!]) {
    let buf = '';
    stream.on('data', (d: Buffer) => {
      buf += d.toString();
      let k;
      while ((k = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, k);
        buf = buf.slice(k + 1);
        // Request lines are many; the rest (start-up, warnings, errors) is worth seeing.
        if (!line.includes('"msg":"http"') || env.CLUSTER_VERBOSE) process.stdout.write(prefix + line + '\n');
      }
    });
  }
  proc.on('exit', (code, sig) => {
    if (!stopping) say(`node-${i} exited (${sig ?? code}); HAProxy sends its traffic to the others`);
  });
  children.push({ name: `node-${i}`, proc });
  return proc;
}

async function waitReady(url: string, proc: ChildProcess, name: string): Promise<void> {
  const until = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < until) {
    if (proc.exitCode !== null) fail(`${name} stopped during start-up (exit ${proc.exitCode}); see its lines above`);
    try {
      const r = await fetch(url + '/api/health/ready');
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  fail(`${name} was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

function haproxyConfig(): string {
  const template = fs.readFileSync(path.join(ROOT, 'deploy', 'haproxy.cfg'), 'utf8');
  const servers = Array.from({ length: NODES }, (_, k) => `    server node-${k + 1} 127.0.0.1:${NODE_BASE_PORT + k} check`).join('\n');
  const file = path.join(DATA_DIR, 'haproxy.cfg');
  fs.writeFileSync(file, template.replace('{{BIND}}', `${env.CLUSTER_BIND ?? '0.0.0.0'}:${PORT}`).replace('{{SERVERS}}', servers));
  const check = spawnSync(HAPROXY, ['-c', '-q', '-f', file], { encoding: 'utf8' });
  if (check.error) fail(`cannot run HAProxy (${HAPROXY}): ${check.error.message}; install the Debian package haproxy`);
  if (check.status !== 0) fail(`HAProxy refuses ${file}: ${check.stderr || check.stdout}`);
  return file;
}

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping');
  // HAProxy first (no new traffic), then the nodes, each shutting down cleanly on SIGTERM.
  for (const c of [...children].reverse()) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGTERM');
  const deadline = Date.now() + 15_000;
  while (children.some((c) => c.proc.exitCode === null && c.proc.signalCode === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  process.exit(code);
}

async function main(): Promise<void> {
  if (!Number.isInteger(NODES) || NODES < 1 || NODES > 16) fail('NODES is 1 to 16');
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const secrets = sharedSecrets();
  await ensureDatabase();
  await checkRedis();
  const cfg = haproxyConfig();
  if (!fs.existsSync(path.join(ROOT, 'dist', 'client', 'index.html'))) say('the browser client is not built (npx vite build): the API works, the pages do not');

  const nodeUrl = (i: number) => `http://127.0.0.1:${NODE_BASE_PORT + i - 1}`;
  say(`starting node-1 (migrations${SEED_DEMO === 'true' ? ', the demo city on first start' : ''})`);
  await waitReady(nodeUrl(1), startNode(1, secrets), 'node-1');
  const rest = Array.from({ length: NODES - 1 }, (_, k) => k + 2);
  if (rest.length) say(`starting ${rest.map((i) => `node-${i}`).join(', ')}`);
  await Promise.all(rest.map((i) => waitReady(nodeUrl(i), startNode(i, secrets), `node-${i}`)));

  const haproxy = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'inherit', 'inherit'] });
  children.push({ name: 'haproxy', proc: haproxy });
  haproxy.on('exit', (code, sig) => {
    if (!stopping) {
      say(`HAProxy exited (${sig ?? code})`);
      void stopAll(1);
    }
  });
  const url = `http://localhost:${PORT}`;
  const until = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(url + '/api/health/ready')).status === 200) break;
    } catch {
      // HAProxy not listening yet
    }
    if (Date.now() > until) fail(`HAProxy does not answer on ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  say(`${NODES} nodes behind HAProxy: ${url}   (nodes ${nodeUrl(1)}..${NODE_BASE_PORT + NODES - 1}; Ctrl-C stops all)`);
  // The machine-readable line the cluster test waits for.
  console.log(JSON.stringify({ cluster: 'ready', url, nodes: Array.from({ length: NODES }, (_, k) => ({ id: `node-${k + 1}`, url: nodeUrl(k + 1), pid: children[k].proc.pid })) }));
}

main().catch((err) => {
  if (!stopping) {
    console.error(`[cluster] ${(err as Error).message}`);
    void stopAll(1);
  }
});
