// Signed checkpoints of the audit chain head: the statement that is signed, and its Ed25519
// signature and verification. node:crypto only, so an outside verifier can copy this file.
//
// statement (UTF-8 text, lines joined with "\n"):
//   sunshine-audit-checkpoint v1
//   seq=<head seq>
//   hash=<head hash>
//   from=<first event covered>
//   events=<SHA-256 hex of the covered events' hashes, concatenated as hex, from..seq>
//   at=<ISO time of signing>
//   key=<key id>
import crypto from 'node:crypto';

export interface Checkpoint {
  seq: number;
  hash: string;
  fromSeq: number;
  /** Hashes of events fromSeq..seq, in order (the last is `hash`). */
  eventHashes: string[];
  signedAt: string;
  reason: string;
  keyId: string;
  signature: string;
}

export interface PublicKeyInfo {
  algorithm: 'Ed25519';
  keyId: string;
  /** The raw 32-byte public key, hex. */
  hex: string;
  /** The same key as SPKI PEM (what `crypto.createPublicKey` takes). */
  pem: string;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface SigningKey {
  privateKey: crypto.KeyObject;
  publicKey: PublicKeyInfo;
}

/** The key pair from a 32-byte seed (64 hex). */
export function signingKeyFromSeed(seedHex: string): SigningKey {
  if (!/^[0-9a-fA-F]{64}$/.test(seedHex)) throw new Error('audit signing key must be 64 hex characters');
  const privateKey = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seedHex, 'hex')]), format: 'der', type: 'pkcs8' });
  const spki = crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }) as Buffer;
  const raw = spki.subarray(SPKI_ED25519_PREFIX.length);
  return { privateKey, publicKey: publicKeyInfo(raw.toString('hex')) };
}

export function publicKeyInfo(hex: string): PublicKeyInfo {
  const raw = Buffer.from(hex, 'hex');
  const pem = crypto.createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }) as string;
  return { algorithm: 'Ed25519', keyId: keyIdOf(hex), hex: raw.toString('hex'), pem };
}

export function keyIdOf(publicKeyHex: string): string {
  return crypto.createHash('sha256').update(Buffer.from(publicKeyHex, 'hex')).digest('hex').slice(0, 16);
}

export function checkpointStatement(cp: Pick<Checkpoint, 'seq' | 'hash' | 'fromSeq' | 'eventHashes' | 'signedAt' | 'keyId'>): string {
  const events = crypto.createHash('sha256').update(cp.eventHashes.join('')).digest('hex');
  return ['sunshine-audit-checkpoint v1', `seq=${cp.seq}`, `hash=${cp.hash}`, `from=${cp.fromSeq}`, `events=${events}`, `at=${cp.signedAt}`, `key=${cp.keyId}`].join('\n');
}

export function signCheckpoint(key: SigningKey, cp: Omit<Checkpoint, 'signature' | 'keyId'>): Checkpoint {
  const withKey = { ...cp, keyId: key.publicKey.keyId };
  const signature = crypto.sign(null, Buffer.from(checkpointStatement(withKey), 'utf8'), key.privateKey).toString('hex');
  return { ...withKey, signature };
}

/** Null when the checkpoint is well formed and signed by this key; else what is wrong. */
export function checkpointProblem(publicKeyHex: string, cp: Checkpoint): string | null {
  if (!Array.isArray(cp.eventHashes) || cp.eventHashes.length !== cp.seq - cp.fromSeq + 1) return 'its event hashes do not cover from..seq';
  if (cp.eventHashes[cp.eventHashes.length - 1] !== cp.hash) return 'its last event hash is not its head hash';
  if (cp.keyId !== keyIdOf(publicKeyHex)) return `signed with key ${cp.keyId}, not ${keyIdOf(publicKeyHex)}`;
  const key = crypto.createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(publicKeyHex, 'hex')]), format: 'der', type: 'spki' });
  const ok = crypto.verify(null, Buffer.from(checkpointStatement(cp), 'utf8'), key, Buffer.from(cp.signature, 'hex'));
  return ok ? null : 'signature does not verify';
}

/** The first instant after the China (UTC+8) calendar day containing `t`. */
export function nextChinaMidnight(t: Date): Date {
  const DAY = 86_400_000;
  const OFFSET = 8 * 3_600_000;
  return new Date(Math.floor((t.getTime() + OFFSET) / DAY) * DAY + DAY - OFFSET);
}
