// Login throttling: failed attempts per (ip, username) and per ip, in a sliding window.
import type { Clock } from '../../db/time';

export class LoginRateLimiter {
  private failures = new Map<string, number[]>();
  constructor(
    private clock: Clock,
    private opts = { windowMs: 15 * 60_000, perAccount: 5, perIp: 30 },
  ) {}

  private recent(key: string): number[] {
    const now = this.clock.now().getTime();
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.opts.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds to wait, or 0 when the attempt may go ahead. */
  retryAfter(ip: string, username: string): number {
    const acct = this.recent(`a:${ip}:${username.toLowerCase()}`);
    const byIp = this.recent(`i:${ip}`);
    const now = this.clock.now().getTime();
    const blockedBy = acct.length >= this.opts.perAccount ? acct : byIp.length >= this.opts.perIp ? byIp : null;
    if (!blockedBy) return 0;
    return Math.max(1, Math.ceil((blockedBy[0] + this.opts.windowMs - now) / 1000));
  }

  fail(ip: string, username: string): void {
    const now = this.clock.now().getTime();
    for (const key of [`a:${ip}:${username.toLowerCase()}`, `i:${ip}`]) this.failures.set(key, [...this.recent(key), now]);
  }

  succeed(ip: string, username: string): void {
    this.failures.delete(`a:${ip}:${username.toLowerCase()}`);
  }
}
