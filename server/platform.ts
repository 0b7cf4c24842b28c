// Composition root: builds the HTTP app, the WebSocket hub and the modules from explicit
// dependencies, so tests can build a platform on a test database with a manual clock.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import { derivedPublicBaseUrl, type Config } from './config';
import { setPublicBaseUrl } from './supervision/ocds/publish';
import type { Db } from './db/knex';
import { systemClock, type Clock } from './db/time';
import { createLogger, type Logger } from './http/log';
import { securityHeaders, requestId } from './http/security';
import { errorHandler } from './http/error-handler';
import { mount, openApiDocument, type RouteDef } from './http/routes';
import { NotFoundError } from './http/errors';
import { SessionStore, parseCookies, SESSION_COOKIE, type SessionUser } from './http/auth/sessions';
import { LoginRateLimiter, RedisLoginRateLimiter, type LoginThrottle } from './http/auth/rate-limit';
import { authRoutes, checkCsrf } from './http/auth/routes';
import { RealtimeHub } from './realtime/hub';
import { LocalBus, RedisBus, defaultNodeId, type ClusterBus } from './realtime/bus';
import { SharedCaches } from './realtime/caches';
import os from 'node:os';
import type { Actor } from './http/actor';
import { MODULES } from './modules';
import { Scheduler } from './scheduler/scheduler';
import { HealthMonitor, type PlatformStatus } from './health/monitor';
import { AppError } from './http/errors';

export const VERSION = '0.1.0';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLIENT_DIR = path.join(ROOT, 'dist', 'client');

export interface ModuleContext {
  db: Db;
  config: Config;
  clock: Clock;
  log: Logger;
  realtime: RealtimeHub;
  /** Messages to every node of the cluster (this one included); an in-process bus on a single node. */
  bus: ClusterBus;
  /** In-memory caches dropped on every node when what they hold changes (README "Running as a cluster"). */
  caches: SharedCaches;
  scheduler: Scheduler;
  /** The platform's view of its dependencies (readiness, shedding, the operators' screens). */
  health: HealthMonitor;
}

export interface PlatformModule {
  name: string;
  routes?: RouteDef[];
  /**
   * Demo data for this module, created through its own services, run once after the master
   * data on the first start of an empty database (modules run in MODULES order).
   */
  seedDemo?: () => Promise<void>;
  /** Starts timers/cron jobs; returns a stop function. */
  start?: () => Promise<void> | void;
  stop?: () => Promise<void> | void;
}

export interface Platform {
  app: express.Express;
  server: http.Server;
  realtime: RealtimeHub;
  bus: ClusterBus;
  caches: SharedCaches;
  scheduler: Scheduler;
  sessions: SessionStore;
  health: HealthMonitor;
  modules: PlatformModule[];
  routes: readonly RouteDef[];
  /** Runs every module's demo seed (after the master data seed). */
  seedModules(): Promise<void>;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * `bus`: the cluster bus (main.ts creates it from REDIS_URL; tests pass one per node). Without it
 * the platform makes an in-process bus of its own, and closes it on close().
 */
export function createPlatform(opts: { config: Config; db: Db; clock?: Clock; log?: Logger; bus?: ClusterBus; autoStartScheduler?: boolean; healthIntervalMs?: number }): Platform {
  const { config, db } = opts;
  const clock = opts.clock ?? systemClock;
  // Open-data links carry the public address; refined to the bound port on listen when derived.
  setPublicBaseUrl(derivedPublicBaseUrl(config));
  const log = opts.log ?? createLogger(config.logLevel);
  const ownBus = !opts.bus;
  const bus: ClusterBus = opts.bus ?? new LocalBus(defaultNodeId(os.hostname(), process.pid), log);
  const caches = new SharedCaches(db, bus, log);
  const sessions = new SessionStore(db, config.secrets.sessionSecret, clock);
  // Shared by every node in cluster mode, so failures on different nodes add up.
  const limiter: LoginThrottle = bus instanceof RedisBus ? new RedisLoginRateLimiter(bus.commands, bus.namespace, clock, undefined, log) : new LoginRateLimiter(clock);
  const realtime = new RealtimeHub({ sessions, clock, log, bus });
  const scheduler = new Scheduler({ db, clock, log });
  const health = new HealthMonitor({ db, clock, log, limits: config.limits });
  // Cluster mode: a node cut off from Redis would neither hear nor tell the others; it is not ready.
  if (bus instanceof RedisBus) health.addSource('bus', () => (bus.connected ? { status: 'ok', nodeId: bus.nodeId } : { status: 'down', nodeId: bus.nodeId, reason: 'Redis unreachable: messages to and from the other nodes are not delivered' }));
  // The platform's state, live, for the operators' desk and the supervision board.
  const PLATFORM_CHANNEL = 'platform';
  realtime.channel(PLATFORM_CHANNEL, {
    authorize: (u) => u.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'admin'),
    snapshot: () => (health.current ? { type: 'platform.status', status: health.current } : undefined),
  });
  // Each node measures its own dependencies (its pool, its commit latency, its bid queue) and tells
  // its own sockets; in a cluster the operator sees the node they are connected to, consistently.
  health.onStatus((status: PlatformStatus) => realtime.publishLocal(PLATFORM_CHANNEL, { type: 'platform.status', status }));
  const ctx: ModuleContext = { db, config, clock, log, realtime, bus, caches, scheduler, health };
  const modules: PlatformModule[] = [];
  for (const m of MODULES) modules.push(m(ctx, modules));

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Behind HAProxy (cluster mode) req.ip is the client's address from X-Forwarded-For, when configured.
  if (config.trustProxy) app.set('trust proxy', config.trustProxy.split(',').map((s) => s.trim()));
  app.use(requestId());
  app.use(securityHeaders({ hsts: config.secureCookies }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      if (!req.path.startsWith('/api')) return;
      // Path only: query strings and bodies may carry personal data.
      log.info('http', { id: (req as Request & { id?: string }).id, m: req.method, p: req.path, s: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
    next();
  });
  // JSON bodies are read per route (server/http/routes.ts): 1 MB unless the route says more.

  // Resolve the session for every API request; routes decide whether it is required.
  app.use('/api', async (req: Request, _res: Response, next: NextFunction) => {
    try {
      (req as Request & { user: SessionUser | null }).user = await sessions.resolve(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
      next();
    } catch (err) {
      next(err);
    }
  });

  const actorFor = (req: Request, role: string): Actor => ({
    userId: (req as Request & { user?: SessionUser | null }).user?.id ?? null,
    role,
    requestId: (req as Request & { id?: string }).id ?? null,
    ip: req.ip ?? null,
    clock,
  });

  const router = express.Router();
  const allRoutes: RouteDef[] = [];
  const healthRoutes: RouteDef[] = [
    {
      method: 'get',
      path: '/api/health',
      tag: 'platform',
      summary: 'Liveness: answers at once, never waits for the database (readiness is /api/health/ready)',
      roles: 'public',
      response: { type: 'object', properties: { status: { const: 'ok' }, db: { enum: ['sqlite', 'mysql'] }, version: { type: 'string' }, serverTime: { type: 'string' } } },
      handler: () => ({ status: 'ok', db: db.dialect, version: VERSION, serverTime: clock.now().toISOString() }),
    },
    {
      method: 'get',
      path: '/api/health/ready',
      tag: 'platform',
      summary: 'Readiness: the database (short time limit), a commit-latency probe and the bid queue; 503 NOT_READY naming what is down or slow',
      roles: 'public',
      handler: async ({ res }) => {
        const status = await health.check();
        res.setHeader('Cache-Control', 'no-store');
        if (status.status !== 'ready') {
          res.setHeader('Retry-After', '2');
          throw new AppError(503, 'NOT_READY', `Not ready: ${status.problems.join('; ')}`, status);
        }
        return status;
      },
    },
    {
      method: 'get',
      path: '/api/openapi.json',
      tag: 'platform',
      summary: 'This API description (OpenAPI 3.1), built from the validation schemas',
      roles: 'public',
      handler: () => openApiDocument(VERSION, allRoutes),
    },
  ];
  for (const defs of [healthRoutes, authRoutes({ db, sessions, limiter, config, realtime: () => realtime }), ...modules.map((m) => m.routes ?? [])]) {
    allRoutes.push(...defs);
  }
  mount(router, allRoutes, { checkCsrf, actorFor });
  app.use(router);
  app.use('/api', (req: Request) => {
    throw new NotFoundError(`No API route ${req.method} ${req.path}`);
  });

  // The built browser client, with history-API fallback to index.html.
  if (fs.existsSync(path.join(CLIENT_DIR, 'index.html'))) {
    app.use(express.static(CLIENT_DIR, { index: false, maxAge: '1h', setHeaders: (res, p) => p.endsWith('.html') && res.setHeader('Cache-Control', 'no-cache') }));
    app.get('/{*splat}', (_req: Request, res: Response) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(CLIENT_DIR, 'index.html'));
    });
  } else {
    app.get('/', (_req: Request, res: Response) => {
      res.type('text').send('The browser client is not built yet: run `npm run build`.');
    });
  }
  app.use(errorHandler(log));

  const server = http.createServer(app);
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  // Idle keep-alive connections stay open longer than a client's (or a load balancer's) own idle
  // limit, so the client closes them first: a server closing one just as a request is sent on it
  // resets that request (Node's default of 5 s races undici's 4 s under a busy event loop).
  server.keepAliveTimeout = 15_000;
  realtime.attach(server);

  return {
    app,
    server,
    realtime,
    bus,
    caches,
    scheduler,
    sessions,
    health,
    modules,
    routes: allRoutes,
    async seedModules() {
      for (const m of modules) await m.seedDemo?.();
    },
    async listen(port = config.port, host = config.host) {
      for (const m of modules) await m.start?.();
      // Tests with a manual clock drive the scheduler themselves (scheduler.runDue()).
      if (opts.autoStartScheduler !== false) await scheduler.start();
      health.start(opts.healthIntervalMs ?? 1000);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const addr = server.address() as { port: number };
      setPublicBaseUrl(derivedPublicBaseUrl(config, addr));
      return `http://127.0.0.1:${addr.port}`;
    },
    async close() {
      scheduler.stop();
      health.stop();
      for (const m of modules) await m.stop?.();
      await realtime.close();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      caches.close();
      if (ownBus) await bus.close();
    },
  };
}
