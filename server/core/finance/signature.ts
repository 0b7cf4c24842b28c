// The finance link's message signature, the same in both directions:
//   X-Finance-Signature = hex HMAC-SHA256(secret, timestamp + "\n" + requestId + "\n" + canonicalJson(body))
// with X-Finance-Timestamp (ISO) and X-Finance-Request-Id. Canonical JSON (sorted keys, no spaces)
// makes the signature independent of how either side serialises the body.
import crypto from 'node:crypto';
import { canonicalJson } from '../../supervision/audit/chain';

export const SIGNATURE_MAX_SKEW_MS = 5 * 60_000;

export function sign(secret: string, timestamp: string, requestId: string, body: unknown): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}\n${requestId}\n${canonicalJson(body ?? {})}`).digest('hex');
}

export function signedHeaders(secret: string, requestId: string, body: unknown, now = new Date()): Record<string, string> {
  const ts = now.toISOString();
  return { 'x-finance-timestamp': ts, 'x-finance-request-id': requestId, 'x-finance-signature': sign(secret, ts, requestId, body) };
}

export type SignatureProblem = 'MISSING' | 'STALE' | 'MISMATCH';

export function verify(secret: string, headers: Record<string, string | string[] | undefined>, body: unknown, now: Date): SignatureProblem | null {
  const ts = String(headers['x-finance-timestamp'] ?? '');
  const id = String(headers['x-finance-request-id'] ?? '');
  const sig = String(headers['x-finance-signature'] ?? '');
  if (!ts || !id || !/^[0-9a-f]{64}$/.test(sig)) return 'MISSING';
  const t = Date.parse(ts);
  if (!Number.isFinite(t) || Math.abs(now.getTime() - t) > SIGNATURE_MAX_SKEW_MS) return 'STALE';
  const expected = Buffer.from(sign(secret, ts, id, body), 'hex');
  return crypto.timingSafeEqual(expected, Buffer.from(sig, 'hex')) ? null : 'MISMATCH';
}

export function bodyHash(body: unknown): string {
  return crypto.createHash('sha256').update(canonicalJson(body ?? {})).digest('hex');
}
