import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseEnv, loadConfig, ConfigError, derivedPublicBaseUrl, clusterNamespace } from '../../server/config';
import { mysqlConnection } from '../../server/db/knex';

describe('config', () => {
  it('has working defaults on a bare machine', () => {
    const c = parseEnv({});
    expect(c.port).to.equal(3000);
    expect(c.dbClient).to.equal('sqlite');
    expect(c.dataDir).to.equal(path.resolve('./data'));
    expect(c.nodeEnv).to.equal('development');
    expect(c.secureCookies).to.equal(false);
  });

  it('picks MySQL from DB_CLIENT or from a mysql DATABASE_URL', () => {
    expect(parseEnv({ DB_CLIENT: 'mysql' }).databaseUrl).to.equal('mysql://root@127.0.0.1:3306/test');
    const c = parseEnv({ DATABASE_URL: 'mysql://u:p@db:3306/gp' });
    expect(c.dbClient).to.equal('mysql');
    expect(c.databaseUrl).to.equal('mysql://u:p@db:3306/gp');
  });

  it('reaches a MySQL server on the same machine by its Unix socket with ?socket=, and refuses other parameters', () => {
    const url = parseEnv({ DATABASE_URL: 'mysql://app:s%40crt@localhost/gp?socket=/run/mysqld/mysqld.sock' }).databaseUrl!;
    expect(mysqlConnection({ databaseUrl: url })).to.deep.include({ socketPath: '/run/mysqld/mysqld.sock', user: 'app', password: 's@crt', database: 'gp' });
    expect(mysqlConnection({ databaseUrl: url })).to.not.have.property('host');
    expect(mysqlConnection({ databaseUrl: 'mysql://u@db:3307/gp' })).to.deep.include({ host: 'db', port: 3307, database: 'gp' });
    for (const [u, why] of [
      ['mysql://u:secret@db/gp?ssl=true', 'unknown parameter "ssl"'],
      ['mysql://u:secret@localhost/gp?socket=mysqld.sock', 'absolute path'],
    ]) {
      let err: Error | null = null;
      try {
        parseEnv({ DATABASE_URL: u });
      } catch (e) {
        err = e as Error;
      }
      expect(err, u).to.be.instanceOf(ConfigError);
      expect(err!.message).to.contain(why).and.not.contain('secret');
    }
  });

  it('takes PUBLIC_BASE_URL as given (without a trailing slash), else derives it from the listening host and port', () => {
    expect(parseEnv({ PUBLIC_BASE_URL: 'https://cg.example.gov.cn/sunshine/' }).publicBaseUrl).to.equal('https://cg.example.gov.cn/sunshine');
    expect(derivedPublicBaseUrl(parseEnv({ PUBLIC_BASE_URL: 'https://cg.example.gov.cn' }))).to.equal('https://cg.example.gov.cn');
    expect(parseEnv({}).publicBaseUrl).to.equal(null);
    expect(derivedPublicBaseUrl(parseEnv({ PORT: '8080' }))).to.equal('http://localhost:8080');
    expect(derivedPublicBaseUrl(parseEnv({ HOST: '10.1.2.3', PORT: '8443' }))).to.equal('http://10.1.2.3:8443');
    expect(derivedPublicBaseUrl(parseEnv({ HOST: '::1' }), { port: 4100 })).to.equal('http://[::1]:4100');
  });

  it('production turns on secure cookies and turns off the demo seed', () => {
    const c = parseEnv({ NODE_ENV: 'production' });
    expect(c.secureCookies).to.equal(true);
    expect(c.seedDemo).to.equal(false);
  });

  const bad: Array<[Record<string, string>, string]> = [
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ PORT: '3.5' }, 'PORT'],
    [{ DB_CLIENT: 'postgres' }, 'DB_CLIENT'],
    [{ DATABASE_URL: 'postgres://x/y' }, 'DATABASE_URL'],
    [{ DB_CLIENT: 'sqlite', DATABASE_URL: 'mysql://root@h/db' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SECURE_COOKIES: 'yes' }, 'SECURE_COOKIES'],
    [{ SEED_DEMO: '1' }, 'SEED_DEMO'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ SEAL_KEY: 'not-hex' }, 'SEAL_KEY'],
    [{ FINANCE_HMAC_SECRET: 'x' }, 'FINANCE_HMAC_SECRET'],
    [{ HOST: ' ' }, 'HOST'],
    [{ AUDIT_SIGNING_KEY: 'not-a-key' }, 'AUDIT_SIGNING_KEY'],
    [{ AUDIT_CHECKPOINT_MINUTES: '-1' }, 'AUDIT_CHECKPOINT_MINUTES'],
    [{ PUBLIC_BASE_URL: 'cg.example.gov.cn' }, 'PUBLIC_BASE_URL'],
    [{ PUBLIC_BASE_URL: 'ftp://cg.example.gov.cn' }, 'PUBLIC_BASE_URL'],
    [{ PUBLIC_BASE_URL: 'https://cg.example.gov.cn/a b' }, 'PUBLIC_BASE_URL'],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://127.0.0.1:6379' }, 'REDIS_URL'], // cluster mode without a shared database
    [{ DB_CLIENT: 'mysql', NODE_ID: 'node 1' }, 'NODE_ID'],
    [{ TRUST_PROXY: 'everyone' }, 'TRUST_PROXY'],
  ];
  for (const [env, variable] of bad) {
    it(`rejects ${JSON.stringify(env)} naming ${variable}`, () => {
      expect(() => parseEnv(env)).to.throw(ConfigError).with.property('variable', variable);
    });
  }

  it('never echoes a bad secret value', () => {
    try {
      parseEnv({ SESSION_SECRET: 'hunter2' });
      expect.fail('should throw');
    } catch (e) {
      expect((e as Error).message).to.include('SESSION_SECRET').and.not.include('hunter2');
    }
  });

  it('generates the secrets into DATA_DIR on first start and reuses them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-cfg-'));
    const a = loadConfig({ DATA_DIR: dir });
    const file = path.join(dir, 'secrets.json');
    expect(fs.existsSync(file)).to.equal(true);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(a.secrets.sealKey).to.match(/^[0-9a-f]{64}$/);
    const b = loadConfig({ DATA_DIR: dir });
    expect(b.secrets).to.deep.equal(a.secrets);
    const c = loadConfig({ DATA_DIR: dir, SEAL_KEY: 'cd'.repeat(32) });
    expect(c.secrets.sealKey).to.equal('cd'.repeat(32));
    fs.rmSync(dir, { recursive: true });
  });

  it('names DATA_DIR when it cannot be created or holds an unreadable or unwritable secrets file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-cfg-'));
    try {
      // A file where the directory should be: mkdir fails.
      fs.writeFileSync(path.join(dir, 'plain-file'), 'x');
      expect(() => loadConfig({ DATA_DIR: path.join(dir, 'plain-file', 'data') })).to.throw(ConfigError).with.property('variable', 'DATA_DIR');
      // secrets.json that is not JSON.
      fs.mkdirSync(path.join(dir, 'garbled'));
      fs.writeFileSync(path.join(dir, 'garbled', 'secrets.json'), '{not json');
      expect(() => loadConfig({ DATA_DIR: path.join(dir, 'garbled') })).to.throw(ConfigError).with.property('variable', 'DATA_DIR');
      // secrets.json that cannot be written (a directory in its place).
      fs.mkdirSync(path.join(dir, 'blocked', 'secrets.json'), { recursive: true });
      expect(() => loadConfig({ DATA_DIR: path.join(dir, 'blocked') })).to.throw(ConfigError).with.property('variable', 'DATA_DIR');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks a stored secret like one given in the environment, without showing it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-cfg-'));
    try {
      fs.writeFileSync(path.join(dir, 'secrets.json'), JSON.stringify({ SEAL_KEY: 'too-short-secret-value' }));
      expect(() => loadConfig({ DATA_DIR: dir })).to.throw(ConfigError).with.property('variable', 'SEAL_KEY');
      try {
        loadConfig({ DATA_DIR: dir });
      } catch (e) {
        expect((e as Error).message).to.include('secrets.json').and.not.include('too-short-secret-value');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns on cluster mode with REDIS_URL and a MySQL database; names the node host-pid unless NODE_ID says', () => {
    const single = parseEnv({});
    expect([single.redisUrl, single.nodeId, single.trustProxy]).to.deep.equal([null, `${os.hostname()}-${process.pid}`, null]);
    const c = parseEnv({ DATABASE_URL: 'mysql://u@db/gp', REDIS_URL: 'redis://:pw@10.0.0.9:6379/0', NODE_ID: 'gp-a.1', TRUST_PROXY: 'loopback, 10.0.0.0/8' });
    expect([c.redisUrl, c.nodeId, c.trustProxy]).to.deep.equal(['redis://:pw@10.0.0.9:6379/0', 'gp-a.1', 'loopback, 10.0.0.0/8']);
    expect(clusterNamespace(c)).to.equal('sunshine:gp:');
  });

  it('refuses to start a cluster node whose shared secrets are not given, naming them, and generates none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-cfg-'));
    try {
      const env = { DATA_DIR: dir, DATABASE_URL: 'mysql://root@127.0.0.1/gp', REDIS_URL: 'redis://127.0.0.1:6379' };
      // Secrets stored in one node's DATA_DIR do not count: every node must be given the same ones.
      fs.writeFileSync(path.join(dir, 'secrets.json'), JSON.stringify({ SEAL_KEY: 'ab'.repeat(32) }));
      expect(() => loadConfig({ ...env, SEAL_KEY: 'cd'.repeat(32) }))
        .to.throw(ConfigError, /SESSION_SECRET, FINANCE_HMAC_SECRET must be given in the environment in cluster mode/)
        .with.property('variable', 'SESSION_SECRET, FINANCE_HMAC_SECRET');
      const given = { SEAL_KEY: 'cd'.repeat(32), SESSION_SECRET: 's'.repeat(32), FINANCE_HMAC_SECRET: 'f'.repeat(32) };
      const c = loadConfig({ ...env, ...given });
      expect(c.secrets).to.deep.equal({ sealKey: given.SEAL_KEY, sessionSecret: given.SESSION_SECRET, financeHmacSecret: given.FINANCE_HMAC_SECRET });
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8'))).to.deep.equal({ SEAL_KEY: 'ab'.repeat(32) }); // nothing generated
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops the server with one clear line naming the variable', function () {
    this.timeout(20000);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: { ...process.env, PORT: 'eighty', DB_CLIENT: '' }, encoding: 'utf8', timeout: 15000 });
    expect(r.status).to.equal(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^Configuration error: PORT /);
  });
});
