// Configuration comes from the environment only, validated once at start-up.
// A bad value stops the process with one line that names the variable.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import os from 'node:os';
import { ajv } from '../http/ajv';

export type DbClient = 'sqlite' | 'mysql';

export interface Config {
  port: number;
  host: string;
  nodeEnv: 'development' | 'production' | 'test';
  dbClient: DbClient;
  databaseUrl: string | null;
  dataDir: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  secureCookies: boolean;
  seedDemo: boolean;
  /** Time limits and load shedding (issue 17: when the database falters). */
  limits: Limits;
  secrets: Secrets;
  /** Minutes between signed checkpoints of the audit chain head (0: none; end-of-day checkpoints too). */
  auditCheckpointMinutes: number;
  /**
   * The address the public reaches the platform at (no trailing slash), used in open-data links
   * (OCDS documents, auctions, packages). Null: derived from the listening host and port.
   */
  publicBaseUrl: string | null;
  /** Seconds between cross-links of the audit streams' heads into the global chain (0: only before each signed checkpoint). */
  auditCrossLinkSeconds: number;
  /** Cluster mode (README "Running as a cluster"): the Redis carrying messages between nodes; null on a single node. */
  redisUrl: string | null;
  /** This process's name in the cluster (logs, bus messages, leases); default host name and process id. */
  nodeId: string;
  /**
   * Which proxies' X-Forwarded-For to believe for the client's address (express 'trust proxy':
   * loopback, linklocal, uniquelocal or addresses/CIDRs, comma-separated); null: none. Behind a
   * load balancer the login throttle and the audit trail need the client's address, not the balancer's.
   */
  trustProxy: string | null;
}

export interface Limits {
  /** Longest a database statement may run (MariaDB max_statement_time, plus a client-side deadline); 0 = none. */
  dbStatementTimeoutMs: number;
  /** InnoDB lock wait limit per connection (seconds). */
  dbLockWaitTimeoutSec: number;
  /** Longest a bid batch's transaction may take before it is abandoned (its bids answered). */
  bidCommitTimeoutMs: number;
  /** How long the database may be unreachable before running competitions are suspended. */
  dbOutageGraceMs: number;
  /** Sustained bids per second a supplier may send (bursts of twice that are allowed). */
  bidRatePerSec: number;
  /** Bids waiting in the sequencer per competition and per supplier before new ones are refused. */
  bidQueuePerAuction: number;
  bidQueuePerSupplier: number;
  /** Readiness: the database check's time limit, and the commit latency above which it is "slow". */
  healthTimeoutMs: number;
  commitSlowMs: number;
  /** Cluster mode: a competition's lease lasts this long unless renewed; its owner renews every ownerRenewMs. */
  ownerLeaseMs: number;
  ownerRenewMs: number;
  /**
   * Cluster mode on MariaDB: leases are renewed by a worker thread (a busy main thread keeps its
   * competitions); it stops renewing when the main thread has not been heard for this long.
   */
  ownerSilenceMs: number;
  /** Cluster mode: how long a node waits for the owner's answer to a forwarded bid or step before answering SERVICE_UNAVAILABLE. */
  forwardTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  dbStatementTimeoutMs: 30_000,
  dbLockWaitTimeoutSec: 5,
  bidCommitTimeoutMs: 5_000,
  dbOutageGraceMs: 10_000,
  bidRatePerSec: 20,
  bidQueuePerAuction: 5_000,
  bidQueuePerSupplier: 50,
  healthTimeoutMs: 1_000,
  commitSlowMs: 1_000,
  // Renewed three times per lease: one lost renewal never costs the lease; a dead owner's
  // competitions move within 1.7 to 2.5 s of its death (the issue's target: bidding again within 3 s).
  ownerLeaseMs: 1_500,
  ownerRenewMs: 500,
  // A main thread this late is wedged, not busy: its competitions move (later than after a death, but they do move).
  ownerSilenceMs: 15_000,
  forwardTimeoutMs: 2_000,
};

const LIMIT_VARS: Array<[keyof Limits, string]> = [
  ['dbStatementTimeoutMs', 'DB_STATEMENT_TIMEOUT_MS'],
  ['dbLockWaitTimeoutSec', 'DB_LOCK_WAIT_TIMEOUT_SEC'],
  ['bidCommitTimeoutMs', 'BID_COMMIT_TIMEOUT_MS'],
  ['dbOutageGraceMs', 'DB_OUTAGE_GRACE_MS'],
  ['bidRatePerSec', 'BID_RATE_PER_SEC'],
  ['bidQueuePerAuction', 'BID_QUEUE_PER_AUCTION'],
  ['bidQueuePerSupplier', 'BID_QUEUE_PER_SUPPLIER'],
  ['healthTimeoutMs', 'HEALTH_TIMEOUT_MS'],
  ['commitSlowMs', 'COMMIT_SLOW_MS'],
  ['ownerLeaseMs', 'OWNER_LEASE_MS'],
  ['ownerRenewMs', 'OWNER_RENEW_MS'],
  ['ownerSilenceMs', 'OWNER_SILENCE_MS'],
  ['forwardTimeoutMs', 'BID_FORWARD_TIMEOUT_MS'],
];

export interface Secrets {
  /** Signs nothing on its own; mixed into session token hashing so a DB dump alone cannot forge a session. */
  sessionSecret: string;
  /** AES-256 key for sealed data (expert draws). Lives outside the database by design. */
  sealKey: string;
  /** Shared HMAC secret for the finance bureau's API. */
  financeHmacSecret: string;
  /**
   * Ed25519 private key seed (64 hex) signing the audit chain's checkpoints; outside the database
   * like the seal key. loadConfig always sets it; a Config built in code without it derives one
   * from the seal key (server/supervision/audit/checkpoint-key.ts).
   */
  auditSigningKey?: string;
}

export class ConfigError extends Error {
  constructor(public variable: string, message: string) {
    super(`Configuration error: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

const envSchema = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535 },
    HOST: { type: 'string', pattern: '^[A-Za-z0-9.:\\[\\]-]+$' }, // a host name, IPv4 or IPv6 address
    NODE_ENV: { enum: ['development', 'production', 'test'] },
    DB_CLIENT: { enum: ['sqlite', 'mysql'] },
    DATABASE_URL: { type: 'string', pattern: '^mysql2?://[^\\s]+$' },
    DATA_DIR: { type: 'string', minLength: 1 },
    LOG_LEVEL: { enum: ['debug', 'info', 'warn', 'error', 'silent'] },
    SECURE_COOKIES: { enum: ['true', 'false'] },
    SEED_DEMO: { enum: ['true', 'false'] },
    SESSION_SECRET: { type: 'string', minLength: 32 },
    SEAL_KEY: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
    FINANCE_HMAC_SECRET: { type: 'string', minLength: 32 },
    AUDIT_SIGNING_KEY: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
    AUDIT_CHECKPOINT_MINUTES: { type: 'integer', minimum: 0, maximum: 1440 },
    AUDIT_CROSS_LINK_SECONDS: { type: 'integer', minimum: 0, maximum: 3600 },
    DB_STATEMENT_TIMEOUT_MS: { type: 'integer', minimum: 0, maximum: 86_400_000 },
    DB_LOCK_WAIT_TIMEOUT_SEC: { type: 'integer', minimum: 1, maximum: 3600 },
    BID_COMMIT_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600_000 },
    DB_OUTAGE_GRACE_MS: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    BID_RATE_PER_SEC: { type: 'integer', minimum: 1, maximum: 100_000 },
    BID_QUEUE_PER_AUCTION: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    BID_QUEUE_PER_SUPPLIER: { type: 'integer', minimum: 1, maximum: 100_000 },
    HEALTH_TIMEOUT_MS: { type: 'integer', minimum: 50, maximum: 60_000 },
    COMMIT_SLOW_MS: { type: 'integer', minimum: 1, maximum: 600_000 },
    OWNER_LEASE_MS: { type: 'integer', minimum: 200, maximum: 600_000 },
    OWNER_RENEW_MS: { type: 'integer', minimum: 50, maximum: 300_000 },
    OWNER_SILENCE_MS: { type: 'integer', minimum: 1000, maximum: 600_000 },
    BID_FORWARD_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 60_000 },
    // An http(s) origin with an optional path prefix: https://cg.example.gov.cn or http://10.0.0.5:8080/sunshine
    REDIS_URL: { type: 'string', maxLength: 500, pattern: '^rediss?://[^\\s]+$' },
    NODE_ID: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' },
    TRUST_PROXY: { type: 'string', maxLength: 500, pattern: '^(loopback|linklocal|uniquelocal|[0-9A-Fa-f.:]+(/[0-9]{1,3})?)(\\s*,\\s*(loopback|linklocal|uniquelocal|[0-9A-Fa-f.:]+(/[0-9]{1,3})?))*$' },
    PUBLIC_BASE_URL: { type: 'string', maxLength: 200, pattern: '^https?://[A-Za-z0-9.\\[\\]:-]+(/[A-Za-z0-9._~%!$&\'()*+,;=:@/-]*)?$' },
  },
} as const;

const validateEnv = ajv.compile(envSchema);

const SECRET_VARS: Array<[keyof Secrets, string, () => string]> = [
  ['sessionSecret', 'SESSION_SECRET', () => crypto.randomBytes(32).toString('hex')],
  ['sealKey', 'SEAL_KEY', () => crypto.randomBytes(32).toString('hex')],
  ['financeHmacSecret', 'FINANCE_HMAC_SECRET', () => crypto.randomBytes(32).toString('hex')],
  ['auditSigningKey', 'AUDIT_SIGNING_KEY', () => crypto.randomBytes(32).toString('hex')],
];

/** Pure part: env → typed values. Throws ConfigError naming the first bad variable. */
export function parseEnv(env: NodeJS.ProcessEnv): Omit<Config, 'secrets'> & { givenSecrets: Partial<Secrets> } {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(envSchema.properties)) {
    const v = env[key];
    if (v === undefined || v === '') continue;
    if (key === 'PORT' || key === 'AUDIT_CHECKPOINT_MINUTES' || key === 'AUDIT_CROSS_LINK_SECONDS' || LIMIT_VARS.some(([, name]) => name === key)) raw[key] = /^-?\d+$/.test(v) ? Number(v) : v;
    else raw[key] = v;
  }
  if (!validateEnv(raw)) {
    const err = validateEnv.errors![0];
    const variable = err.instancePath.replace(/^\//, '') || 'environment';
    const got = raw[variable];
    throw new ConfigError(variable, `${err.message}${got !== undefined ? ` (got ${JSON.stringify(redactIfSecret(variable, got))})` : ''}`);
  }
  let dbClient = (raw.DB_CLIENT as DbClient | undefined) ?? (raw.DATABASE_URL ? 'mysql' : 'sqlite');
  if (dbClient === 'mysql' && !raw.DATABASE_URL && raw.DB_CLIENT === 'mysql') {
    // MariaDB on the same host is the documented default for DB_CLIENT=mysql.
    raw.DATABASE_URL = 'mysql://root@127.0.0.1:3306/test';
  }
  if (raw.DATABASE_URL) {
    // The URL's one parameter: the server's Unix socket (no secret in these messages: never the URL).
    let url: URL;
    try {
      url = new URL(raw.DATABASE_URL as string);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid URL (mysql://user:pass@host:port/db)');
    }
    for (const k of url.searchParams.keys()) if (k !== 'socket') throw new ConfigError('DATABASE_URL', `has an unknown parameter "${k}" (the only one understood is ?socket=/path/to/mysqld.sock)`);
    const socket = url.searchParams.get('socket');
    if (socket !== null && !path.isAbsolute(socket)) throw new ConfigError('DATABASE_URL', `?socket= must be an absolute path (got "${socket}")`);
  }
  if (dbClient === 'sqlite' && raw.DATABASE_URL) {
    throw new ConfigError('DATABASE_URL', 'is set but DB_CLIENT is sqlite; unset one of them');
  }
  if (raw.REDIS_URL && dbClient !== 'mysql') {
    // Every node must read and write the same state: one SQLite file per machine cannot be shared.
    throw new ConfigError('REDIS_URL', 'turns on cluster mode, which needs a shared MySQL/MariaDB database: set DATABASE_URL (DB_CLIENT=mysql)');
  }
  const nodeEnv = (raw.NODE_ENV as Config['nodeEnv']) ?? 'development';
  const givenSecrets: Partial<Secrets> = {};
  for (const [k, name] of SECRET_VARS) if (raw[name]) givenSecrets[k] = raw[name] as string;
  return {
    port: (raw.PORT as number | undefined) ?? 3000,
    host: (raw.HOST as string | undefined) ?? '0.0.0.0',
    nodeEnv,
    dbClient,
    databaseUrl: (raw.DATABASE_URL as string | undefined) ?? null,
    dataDir: path.resolve((raw.DATA_DIR as string | undefined) ?? './data'),
    logLevel: (raw.LOG_LEVEL as Config['logLevel'] | undefined) ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    secureCookies: raw.SECURE_COOKIES ? raw.SECURE_COOKIES === 'true' : nodeEnv === 'production',
    seedDemo: raw.SEED_DEMO ? raw.SEED_DEMO === 'true' : nodeEnv !== 'production',
    // Off by default under NODE_ENV=test, so suites driving the scheduler see no extra events.
    auditCheckpointMinutes: (raw.AUDIT_CHECKPOINT_MINUTES as number | undefined) ?? (nodeEnv === 'test' ? 0 : 10),
    publicBaseUrl: raw.PUBLIC_BASE_URL ? (raw.PUBLIC_BASE_URL as string).replace(/\/+$/, '') : null,
    auditCrossLinkSeconds: (raw.AUDIT_CROSS_LINK_SECONDS as number | undefined) ?? (nodeEnv === 'test' ? 0 : 1),
    redisUrl: (raw.REDIS_URL as string | undefined) ?? null,
    nodeId: (raw.NODE_ID as string | undefined) ?? `${os.hostname()}-${process.pid}`,
    trustProxy: (raw.TRUST_PROXY as string | undefined) ?? null,
    limits: Object.fromEntries(LIMIT_VARS.map(([k, name]) => [k, (raw[name] as number | undefined) ?? DEFAULT_LIMITS[k]])) as unknown as Limits,
    givenSecrets,
  };
}

function redactIfSecret(variable: string, value: unknown): unknown {
  return SECRET_VARS.some(([, name]) => name === variable) ? '<redacted>' : value;
}

/**
 * Full load: parse, create DATA_DIR, and fill missing secrets from DATA_DIR/secrets.json,
 * generating them (mode 0600) on first start.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { givenSecrets, ...base } = parseEnv(env);
  try {
    fs.mkdirSync(base.dataDir, { recursive: true });
  } catch (e) {
    throw new ConfigError('DATA_DIR', `cannot be created: ${(e as Error).message}`);
  }
  if (base.redisUrl) return { ...base, secrets: clusterSecrets(givenSecrets) };
  const file = path.join(base.dataDir, 'secrets.json');
  let stored: Partial<Record<string, string>> = {};
  if (fs.existsSync(file)) {
    try {
      stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      throw new ConfigError('DATA_DIR', `holds an unreadable secrets.json (${file})`);
    }
  }
  let changed = false;
  const secrets = {} as Secrets;
  for (const [k, name, gen] of SECRET_VARS) {
    if (givenSecrets[k]) secrets[k] = givenSecrets[k]!;
    else if (stored[name]) {
      // A stored secret meets the same rules as one given in the environment.
      if (!validateEnv({ [name]: stored[name] })) throw new ConfigError(name, `in ${file} ${validateEnv.errors![0].message} (value not shown)`);
      secrets[k] = stored[name]!;
    } else {
      secrets[k] = stored[name] = gen();
      changed = true;
    }
  }
  if (changed) {
    try {
      fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    } catch (e) {
      throw new ConfigError('DATA_DIR', `is not writable: cannot store the generated secrets (${(e as Error).message})`);
    }
  }
  return { ...base, secrets };
}

/** The secrets every node of a cluster must share: given in the environment, never generated per node. */
export const CLUSTER_SECRET_VARS = ['SEAL_KEY', 'SESSION_SECRET', 'FINANCE_HMAC_SECRET'] as const;

function clusterSecrets(given: Partial<Secrets>): Secrets {
  const missing = CLUSTER_SECRET_VARS.filter((name) => !given[SECRET_VARS.find(([, n]) => n === name)![0]]);
  if (missing.length) {
    throw new ConfigError(
      missing.join(', '),
      `must be given in the environment in cluster mode (REDIS_URL is set): every node must use the same ${CLUSTER_SECRET_VARS.join(', ')}, so none is generated`,
    );
  }
  // AUDIT_SIGNING_KEY may be left out: it is then derived from SEAL_KEY, the same on every node.
  return { sessionSecret: given.sessionSecret!, sealKey: given.sealKey!, financeHmacSecret: given.financeHmacSecret!, ...(given.auditSigningKey ? { auditSigningKey: given.auditSigningKey } : {}) };
}

/** The Redis namespace of a cluster: the nodes sharing a database share a bus (`sunshine:<database>:`). */
export function clusterNamespace(config: Pick<Config, 'databaseUrl'>): string {
  let db = 'default';
  try {
    if (config.databaseUrl) db = decodeURIComponent(new URL(config.databaseUrl).pathname.replace(/^\//, '')) || db;
  } catch {
    // parseEnv has validated the URL's shape; an odd one still gets a namespace.
  }
  return `sunshine:${db}:`;
}

/** The public base URL: the configured one, else the listening address (a wildcard host read as localhost). */
export function derivedPublicBaseUrl(config: Pick<Config, 'publicBaseUrl' | 'host' | 'port'>, listening?: { port: number }): string {
  if (config.publicBaseUrl) return config.publicBaseUrl;
  const host = config.host === '0.0.0.0' || config.host === '::' || config.host === '' ? 'localhost' : config.host;
  const port = listening?.port ?? config.port;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}${port === 80 ? '' : `:${port}`}`;
}
