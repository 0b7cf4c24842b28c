// Sessions: an opaque random token in an HttpOnly cookie; the database keeps only its HMAC.
import crypto from 'node:crypto';
import type { Db } from '../../db/knex';
import { fromDbTime, toDbTime, type Clock } from '../../db/time';
import type { Role } from '../actor';

export const SESSION_COOKIE = 'sp_sid';
export const SESSION_IDLE_MS = 2 * 60 * 60_000; // 2 h without activity
export const SESSION_MAX_MS = 12 * 60 * 60_000; // a working day at most

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
  orgId: number | null;
  supplierId: number | null;
  locale: string;
  timeZone: string;
  sessionId: string;
  csrfToken: string;
}

export class SessionStore {
  constructor(
    private db: Db,
    private secret: string,
    private clock: Clock,
  ) {}

  idFor(token: string): string {
    return crypto.createHmac('sha256', this.secret).update(token).digest('hex');
  }

  async create(userId: number, meta: { ip: string | null; userAgent: string | null }, trx: Db | import('../../db/tx').Tx = this.db) {
    const token = crypto.randomBytes(32).toString('base64url');
    const csrfToken = crypto.randomBytes(24).toString('base64url');
    const now = this.clock.now();
    const id = this.idFor(token);
    await trx('sessions').insert({
      id,
      user_id: userId,
      csrf_token: csrfToken,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 255) ?? null,
      created_at: toDbTime(now),
      last_seen_at: toDbTime(now),
      expires_at: toDbTime(now.getTime() + SESSION_MAX_MS),
    });
    return { token, id, csrfToken };
  }

  /** The user behind a cookie token, or null when unknown, idle too long, expired or disabled. */
  async resolve(token: string | undefined): Promise<SessionUser | null> {
    if (!token || token.length > 128) return null;
    const id = this.idFor(token);
    const row = await this.db('sessions as s')
      .join('users as u', 'u.id', 's.user_id')
      .where('s.id', id)
      .first('s.id as session_id', 's.csrf_token', 's.last_seen_at', 's.expires_at', 'u.*');
    if (!row || row.status !== 'active') return null;
    const now = this.clock.now().getTime();
    const lastSeen = fromDbTime(row.last_seen_at)!.getTime();
    if (fromDbTime(row.expires_at)!.getTime() <= now || now - lastSeen > SESSION_IDLE_MS) {
      await this.db('sessions').where({ id }).delete();
      return null;
    }
    // Sliding idle timeout, touched at most once a minute.
    if (now - lastSeen > 60_000) await this.db('sessions').where({ id }).update({ last_seen_at: toDbTime(now) });
    const roles = (await this.db('user_roles').where({ user_id: row.id }).orderBy('role')).map((r: { role: Role }) => r.role);
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      roles,
      orgId: row.org_id,
      supplierId: row.supplier_id,
      locale: row.locale,
      timeZone: row.time_zone,
      sessionId: row.session_id,
      csrfToken: row.csrf_token,
    };
  }

  async destroy(sessionId: string, trx: Db | import('../../db/tx').Tx = this.db): Promise<void> {
    await trx('sessions').where({ id: sessionId }).delete();
  }

  async purgeExpired(): Promise<number> {
    return this.db('sessions').where('expires_at', '<=', toDbTime(this.clock.now())).delete();
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k && !(k in out)) {
      try {
        out[k] = decodeURIComponent(v);
      } catch {
        out[k] = v;
      }
    }
  }
  return out;
}
