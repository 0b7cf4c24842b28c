// Sealing: AES-256-GCM under config.secrets.sealKey (never stored in the database), with the
// context bound in as associated data so a ciphertext cannot be moved to another row.
import crypto from 'node:crypto';
import type { DrawHashes } from './selection';

export interface Sealer {
  seal(value: unknown, context: string): string;
  open<T = unknown>(sealed: string, context: string): T;
  /** HMAC tag of (drawId, expertId): how an expert finds their own invitation. */
  invitationTag(drawId: number, expertId: number): string;
}

export function createSealer(sealKeyHex: string): Sealer {
  if (!/^[0-9a-f]{64}$/i.test(sealKeyHex)) throw new Error('the seal key must be 64 hex characters');
  const key = Buffer.from(sealKeyHex, 'hex');
  // A separate key for tags, so the tag key and the encryption key are never the same bytes.
  const tagKey = Buffer.from(crypto.hkdfSync('sha256', key, Buffer.alloc(0), 'sunshine/draw-invitation-tag/v1', 32));
  return {
    seal(value, context) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(context, 'utf8'));
      const ct = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
      return `v1.${iv.toString('base64')}.${c.getAuthTag().toString('base64')}.${ct.toString('base64')}`;
    },
    open<T>(sealed: string, context: string): T {
      const [v, iv, tag, ct] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed value');
      const d = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      d.setAAD(Buffer.from(context, 'utf8'));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return JSON.parse(Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8')) as T;
    },
    invitationTag(drawId, expertId) {
      return crypto.createHmac('sha256', tagKey).update(`${drawId}:${expertId}`).digest('hex');
    },
  };
}

export const nodeHashes: DrawHashes = {
  sha256Hex: (data) => crypto.createHash('sha256').update(data).digest('hex'),
  hmacSha256: (k, m) => crypto.createHmac('sha256', k).update(m).digest(),
};

export function newSeed(): string {
  return crypto.randomBytes(32).toString('hex');
}
