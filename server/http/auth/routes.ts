// Login, logout, current user. Login is throttled; demo passwords are refused in production.
import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { defineRoutes } from '../routes';
import { ForbiddenError, TooManyRequestsError, UnauthenticatedError } from '../errors';
import { dummyHash, verifyPassword } from './passwords';
import { SESSION_COOKIE, SESSION_MAX_MS, type SessionStore } from './sessions';
import type { LoginThrottle } from './rate-limit';
import { withTx } from '../../db/tx';
import { toDbTime } from '../../db/time';
import { record } from '../../supervision/audit/audit';
import type { Db } from '../../db/knex';
import type { Config } from '../../config';
import type { RealtimeHub } from '../../realtime/hub';
import { DEMO_PASSWORD } from '../../../db/seeds/demo-accounts';

const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    orgId: { type: ['integer', 'null'] },
    supplierId: { type: ['integer', 'null'] },
    locale: { type: 'string' },
    timeZone: { type: 'string' },
  },
};

export function cookieHeader(cfg: Pick<Config, 'secureCookies'>, token: string, maxAgeMs: number): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
    ...(cfg.secureCookies ? ['Secure'] : []),
  ].join('; ');
}

export function checkCsrf(req: Request): void {
  const user = (req as Request & { user?: { csrfToken: string } }).user;
  const given = req.header('x-csrf-token') ?? '';
  const expected = user?.csrfToken ?? '';
  const ok = given.length === expected.length && expected.length > 0 && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
  if (!ok) throw new ForbiddenError('Missing or wrong X-CSRF-Token header', null, 'CSRF_FAILED');
}

/** Public writes (login, registration) have no session: require a same-origin Origin when a browser sends one. */
export function checkSameOrigin(req: Request): void {
  const origin = req.header('origin');
  if (!origin) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new ForbiddenError('Bad Origin header', null, 'ORIGIN_MISMATCH');
  }
  if (host !== req.header('host')) throw new ForbiddenError('Cross-origin request refused', null, 'ORIGIN_MISMATCH');
}

function publicUser(u: { id: number; username: string; displayName: string; roles: string[]; orgId: number | null; supplierId: number | null; locale: string; timeZone: string }) {
  return { id: u.id, username: u.username, displayName: u.displayName, roles: u.roles, orgId: u.orgId, supplierId: u.supplierId, locale: u.locale, timeZone: u.timeZone };
}

export function authRoutes(deps: { db: Db; sessions: SessionStore; limiter: LoginThrottle; config: Config; realtime: () => RealtimeHub | null }) {
  const { db, sessions, limiter, config } = deps;
  return defineRoutes([
    {
      method: 'post',
      path: '/api/auth/login',
      tag: 'auth',
      summary: 'Log in with username and password; sets the session cookie',
      roles: 'public',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['username', 'password'],
        properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 }, deviceId: { type: 'string', pattern: '^[A-Za-z0-9-]{8,64}$' } },
      },
      response: { type: 'object', properties: { user: userSchema, csrfToken: { type: 'string' } } },
      status: 200,
      handler: async ({ req, res, body, actor }) => {
        checkSameOrigin(req);
        const ip = req.ip ?? 'unknown';
        const wait = await limiter.retryAfter(ip, body.username);
        if (wait > 0) throw new TooManyRequestsError(`Too many failed logins; try again in ${wait} s`, wait);
        const row = await db('users').where({ username: body.username }).first();
        const ok = await verifyPassword(body.password, row?.password_hash ?? (await dummyHash()));
        if (!row || !ok) {
          await limiter.fail(ip, body.username);
          throw new UnauthenticatedError('Wrong username or password', 'INVALID_CREDENTIALS');
        }
        if (row.status !== 'active') throw new ForbiddenError('This account is disabled', null, 'ACCOUNT_DISABLED');
        if (config.nodeEnv === 'production' && (row.is_demo || body.password === DEMO_PASSWORD)) {
          throw new ForbiddenError('Demo passwords are refused in production; an administrator must set a real password', null, 'DEMO_PASSWORD_REFUSED');
        }
        await limiter.succeed(ip, body.username);
        const roles = (await db('user_roles').where({ user_id: row.id }).orderBy('role')).map((r: { role: string }) => r.role);
        const session = await withTx(db, async (tx) => {
          const s = await sessions.create(row.id, { ip, userAgent: req.header('user-agent') ?? null }, tx);
          await tx('users').where({ id: row.id }).update({ last_login_at: toDbTime(actor.clock.now()) });
          await record(tx, { ...actor, userId: row.id, role: roles[0] ?? 'none' }, { action: 'auth.login', entityType: 'user', entityId: row.id, after: { username: row.username, deviceId: body.deviceId ?? null } });
          return s;
        });
        (res as Response).setHeader('Set-Cookie', cookieHeader(config, session.token, SESSION_MAX_MS));
        return {
          user: publicUser({ id: row.id, username: row.username, displayName: row.display_name, roles, orgId: row.org_id, supplierId: row.supplier_id, locale: row.locale, timeZone: row.time_zone }),
          csrfToken: session.csrfToken,
        };
      },
    },
    {
      method: 'post',
      path: '/api/auth/logout',
      tag: 'auth',
      summary: 'End the session and close its WebSockets',
      roles: 'authenticated',
      handler: async ({ res, user, actor }) => {
        await withTx(db, async (tx) => {
          await sessions.destroy(user!.sessionId, tx);
          await record(tx, actor, { action: 'auth.logout', entityType: 'user', entityId: user!.id });
          tx.afterCommit(() => deps.realtime()?.closeSession(user!.sessionId));
        });
        (res as Response).setHeader('Set-Cookie', cookieHeader(config, '', 0));
        return undefined;
      },
    },
    {
      method: 'get',
      path: '/api/me',
      tag: 'auth',
      summary: 'The logged-in user, the CSRF token for writes, and the server time',
      roles: 'authenticated',
      response: { type: 'object', properties: { user: userSchema, csrfToken: { type: 'string' }, serverTime: { type: 'string' } } },
      handler: ({ user, actor }) => ({ user: publicUser(user!), csrfToken: user!.csrfToken, serverTime: actor.clock.now().toISOString() }),
    },
  ]);
}
