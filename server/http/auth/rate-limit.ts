// Login throttling: failed attempts per (ip, username) and per ip, in a sliding window.
// On one node the failures are kept in memory; in cluster mode in Redis, shared by every node,
// so five failures spread over three nodes still lock the account.
import type { Redis } from 'ioredis';
import type { Clock } from '../../db/time';

export interface LoginLimits {
  windowMs: number;
  perAccount: number;
  perIp: number;
}

export const LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perAccount: 5, perIp: 30 };

/** What the login route needs; the answers may come from another machine, hence promises. */
export interface LoginThrottle {
  /** Seconds to wait, or 0 when the attempt may go ahead. */
  retryAfter(ip: string, username: string): Promise<number>;
  fail(ip: string, username: string): Promise<void>;
  succeed(ip: string, username: string): Promise<void>;
}

const accountKey = (ip: string, username: string) => `a:${ip}:${username.toLowerCase()}`;
const ipKey = (ip: string) => `i:${ip}`;

function wait(limits: LoginLimits, now: number, acct: { n: number; oldest: number }, byIp: { n: number; oldest: number }): number {
  const blockedBy = acct.n >= limits.perAccount ? acct : byIp.n >= limits.perIp ? byIp : null;
  if (!blockedBy) return 0;
  return Math.max(1, Math.ceil((blockedBy.oldest + limits.windowMs - now) / 1000));
}

export class LoginRateLimiter implements LoginThrottle {
  private failures = new Map<string, number[]>();
  constructor(
    private clock: Clock,
    private opts: LoginLimits = LOGIN_LIMITS,
  ) {}

  private recent(key: string): number[] {
    const now = this.clock.now().getTime();
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.opts.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  async retryAfter(ip: string, username: string): Promise<number> {
    const acct = this.recent(accountKey(ip, username));
    const byIp = this.recent(ipKey(ip));
    return wait(this.opts, this.clock.now().getTime(), { n: acct.length, oldest: acct[0] }, { n: byIp.length, oldest: byIp[0] });
  }

  async fail(ip: string, username: string): Promise<void> {
    const now = this.clock.now().getTime();
    for (const key of [accountKey(ip, username), ipKey(ip)]) this.failures.set(key, [...this.recent(key), now]);
  }

  async succeed(ip: string, username: string): Promise<void> {
    this.failures.delete(accountKey(ip, username));
  }
}

/**
 * The same windows in Redis: one sorted set of failure times per key (`<namespace>login:<key>`),
 * trimmed to the window on every touch and expiring with it. Times come from the platform clock,
 * as on one node (the nodes' clocks are kept in step by NTP; a second's skew moves a 15-minute window by a second).
 */
export class RedisLoginRateLimiter implements LoginThrottle {
  constructor(
    private redis: Redis,
    private namespace: string,
    private clock: Clock,
    private opts: LoginLimits = LOGIN_LIMITS,
  ) {}

  private key(k: string): string {
    return `${this.namespace}login:${k}`;
  }

  async retryAfter(ip: string, username: string): Promise<number> {
    const now = this.clock.now().getTime();
    const m = this.redis.multi();
    for (const k of [accountKey(ip, username), ipKey(ip)]) {
      m.zremrangebyscore(this.key(k), '-inf', now - this.opts.windowMs);
      m.zcard(this.key(k));
      m.zrange(this.key(k), 0, 0, 'WITHSCORES');
    }
    const r = (await m.exec())!;
    for (const [err] of r) if (err) throw err;
    const at = (i: number) => ({ n: Number(r[i * 3 + 1][1]), oldest: Number((r[i * 3 + 2][1] as string[])[1] ?? now) });
    return wait(this.opts, now, at(0), at(1));
  }

  async fail(ip: string, username: string): Promise<void> {
    const now = this.clock.now().getTime();
    const m = this.redis.multi();
    for (const k of [accountKey(ip, username), ipKey(ip)]) {
      // A unique member per failure: two failures in the same millisecond count twice.
      m.zadd(this.key(k), now, `${now}:${Math.random().toString(36).slice(2)}`);
      m.zremrangebyscore(this.key(k), '-inf', now - this.opts.windowMs);
      m.pexpire(this.key(k), this.opts.windowMs);
    }
    const r = (await m.exec())!;
    for (const [err] of r) if (err) throw err;
  }

  async succeed(ip: string, username: string): Promise<void> {
    await this.redis.del(this.key(accountKey(ip, username)));
  }
}
