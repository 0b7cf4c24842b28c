// Bid sealing, shared by the browser (which seals and, at the opening, produces the key) and the
// server (which opens a bid with the key the bidder hands in). Pure crypto-js, no DOM or Node
// APIs, so Node tests seal exactly as a browser does.
//
// A sealed bid is an envelope {v, alg, kdf, iv, keyCheck, ct}: AES-256-CBC over the canonical
// JSON of the whole bid. The key is 256 random bits generated in the browser (kept in a key file)
// or derived from a passphrase with PBKDF2-SHA256 and a random salt. The server keeps only the
// envelope and SHA-256 of the plaintext; the plaintext carries a random nonce so that the digest
// cannot be used to guess a price by trying candidates.
import CryptoJS from 'crypto-js';

export const ENVELOPE_VERSION = 1;
export const DEFAULT_PBKDF2_ITERATIONS = 100_000;
const KEY_CHECK_LABEL = 'sunshine-bid-key-check:';

export interface BidAttachment {
  name: string;
  type: string;
  dataBase64: string;
}

/** The whole bid as the supplier prepared it: everything here stays secret until the opening. */
export interface BidPlaintext {
  tenderId: number;
  supplierId: number;
  priceFen: number;
  responses: Record<string, string>;
  attachments: BidAttachment[];
  nonce: string;
}

export type KdfSpec = { type: 'raw' } | { type: 'pbkdf2-sha256'; salt: string; iterations: number };

export interface SealedEnvelope {
  v: number;
  alg: 'AES-256-CBC';
  kdf: KdfSpec;
  iv: string; // hex
  keyCheck: string; // hex SHA-256 over a label and the key: tells a wrong key from a damaged ciphertext
  ct: string; // base64
}

export interface SealResult {
  envelope: string; // JSON text of the SealedEnvelope, what the server stores
  digest: string; // hex SHA-256 of the canonical plaintext
  keyHex: string; // the AES key: never sent before the opening
}

export type OpenFailure = 'MALFORMED_ENVELOPE' | 'WRONG_KEY' | 'DIGEST_MISMATCH' | 'UNREADABLE_PLAINTEXT';
export type OpenResult = { ok: true; bid: BidPlaintext; digest: string } | { ok: false; reason: OpenFailure };

/** JSON with object keys sorted at every level: one byte sequence per value, so one digest. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number in sealed data');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return '[' + value.map((v) => canonicalJson(v === undefined ? null : v)).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}

export function sha256Hex(text: string): string {
  return CryptoJS.SHA256(CryptoJS.enc.Utf8.parse(text)).toString(CryptoJS.enc.Hex);
}

export function randomHex(bytes: number): string {
  return CryptoJS.lib.WordArray.random(bytes).toString(CryptoJS.enc.Hex);
}

/** A fresh 256-bit key (hex), generated where the bid is prepared. */
export function generateBidKey(): string {
  return randomHex(32);
}

export function newPassphraseKdf(iterations = DEFAULT_PBKDF2_ITERATIONS): KdfSpec {
  return { type: 'pbkdf2-sha256', salt: randomHex(16), iterations };
}

/** The AES key (hex) from a passphrase under the envelope's KDF parameters. */
export function deriveKeyFromPassphrase(passphrase: string, kdf: Extract<KdfSpec, { type: 'pbkdf2-sha256' }>): string {
  const key = CryptoJS.PBKDF2(CryptoJS.enc.Utf8.parse(passphrase.normalize('NFC')), CryptoJS.enc.Hex.parse(kdf.salt), {
    keySize: 256 / 32,
    iterations: kdf.iterations,
    hasher: CryptoJS.algo.SHA256,
  });
  return key.toString(CryptoJS.enc.Hex);
}

function keyCheck(keyHex: string): string {
  return CryptoJS.SHA256(CryptoJS.enc.Utf8.parse(KEY_CHECK_LABEL).concat(CryptoJS.enc.Hex.parse(keyHex))).toString(CryptoJS.enc.Hex);
}

export function isKeyHex(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

/**
 * Seals a bid. `key` is either {keyHex} (a random key from generateBidKey) or {passphrase, kdf}
 * (kdf from newPassphraseKdf, stored in the envelope so the key can be derived again), or
 * {keyHex, kdf} for a key already derived from a passphrase under kdf (by a native PBKDF2 on the
 * server side, which gives the same key in a fraction of the time).
 */
export function sealBid(bid: Omit<BidPlaintext, 'nonce'> & { nonce?: string }, key: SealKey): SealResult {
  const plain: BidPlaintext = { ...bid, nonce: bid.nonce ?? randomHex(16) };
  assertBidShape(plain);
  return sealPayload(plain, key);
}

export type SealKey = { keyHex: string; kdf?: KdfSpec } | { passphrase: string; kdf?: KdfSpec };

/**
 * Seals any JSON document (a bid, a framework response) in the same envelope: the caller checks
 * its shape and puts a random nonce in it so the digest cannot be used to guess its content.
 */
export function sealPayload(plain: object, key: SealKey): SealResult {
  let kdf: KdfSpec;
  let keyHex: string;
  if ('keyHex' in key) {
    if (!isKeyHex(key.keyHex)) throw new Error('a bid key is 64 lowercase hex digits');
    kdf = key.kdf ?? { type: 'raw' };
    keyHex = key.keyHex;
  } else {
    if (key.passphrase.length < 8) throw new Error('a passphrase has at least 8 characters');
    const spec = key.kdf ?? newPassphraseKdf();
    if (spec.type !== 'pbkdf2-sha256') throw new Error('a passphrase needs a PBKDF2 spec');
    kdf = spec;
    keyHex = deriveKeyFromPassphrase(key.passphrase, spec);
  }
  const text = canonicalJson(plain);
  const iv = CryptoJS.lib.WordArray.random(16);
  const enc = CryptoJS.AES.encrypt(CryptoJS.enc.Utf8.parse(text), CryptoJS.enc.Hex.parse(keyHex), { iv, mode: CryptoJS.mode.CBC, padding: CryptoJS.pad.Pkcs7 });
  const envelope: SealedEnvelope = {
    v: ENVELOPE_VERSION,
    alg: 'AES-256-CBC',
    kdf,
    iv: iv.toString(CryptoJS.enc.Hex),
    keyCheck: keyCheck(keyHex),
    ct: enc.ciphertext.toString(CryptoJS.enc.Base64),
  };
  return { envelope: JSON.stringify(envelope), digest: sha256Hex(text), keyHex };
}

export function parseEnvelope(text: string): SealedEnvelope | null {
  try {
    const e = JSON.parse(text);
    if (!e || e.v !== ENVELOPE_VERSION || e.alg !== 'AES-256-CBC' || typeof e.iv !== 'string' || !/^[0-9a-f]{32}$/.test(e.iv)) return null;
    if (typeof e.keyCheck !== 'string' || !isKeyHex(e.keyCheck) || typeof e.ct !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(e.ct)) return null;
    const k = e.kdf;
    if (!k || (k.type !== 'raw' && !(k.type === 'pbkdf2-sha256' && /^[0-9a-f]{32}$/.test(k.salt) && Number.isInteger(k.iterations) && k.iterations >= 1000 && k.iterations <= 5_000_000))) return null;
    return e as SealedEnvelope;
  } catch {
    return null;
  }
}

/** The key for an envelope from what the bidder holds: the key file's hex key, or the passphrase. */
export function keyForEnvelope(envelopeText: string, secret: { keyHex: string } | { passphrase: string }): string {
  if ('keyHex' in secret) return secret.keyHex.trim().toLowerCase();
  const e = parseEnvelope(envelopeText);
  if (!e || e.kdf.type !== 'pbkdf2-sha256') throw new Error('this bid was sealed with a key file, not a passphrase');
  return deriveKeyFromPassphrase(secret.passphrase, e.kdf);
}

/**
 * Whether a key opens this envelope, by its key check alone (no decryption): the page tells a
 * mistyped passphrase or another bid's key file before anything is sent, and the server tells a
 * wrong key (refused, the bid stays sealed) from a tampered bid (invalid).
 */
export function keyMatchesEnvelope(envelopeText: string, keyHex: string): boolean {
  const e = parseEnvelope(envelopeText);
  return !!e && isKeyHex(keyHex) && keyCheck(keyHex) === e.keyCheck;
}

/** Opens a sealed bid and checks it against the digest given at submission. */
export function openBid(envelopeText: string, keyHex: string, expectedDigest: string): OpenResult {
  const r = openPayload(envelopeText, keyHex, expectedDigest);
  if (!r.ok) return r;
  try {
    assertBidShape(r.value as BidPlaintext);
  } catch {
    return { ok: false, reason: 'UNREADABLE_PLAINTEXT' };
  }
  return { ok: true, bid: r.value as BidPlaintext, digest: r.digest };
}

/** Opens any sealed document and checks it against its digest; the caller checks its shape. */
export function openPayload(envelopeText: string, keyHex: string, expectedDigest: string): { ok: true; value: unknown; digest: string } | { ok: false; reason: OpenFailure } {
  const e = parseEnvelope(envelopeText);
  if (!e) return { ok: false, reason: 'MALFORMED_ENVELOPE' };
  if (!isKeyHex(keyHex) || keyCheck(keyHex) !== e.keyCheck) return { ok: false, reason: 'WRONG_KEY' };
  let text: string;
  try {
    const params = CryptoJS.lib.CipherParams.create({ ciphertext: CryptoJS.enc.Base64.parse(e.ct) });
    text = CryptoJS.AES.decrypt(params, CryptoJS.enc.Hex.parse(keyHex), { iv: CryptoJS.enc.Hex.parse(e.iv), mode: CryptoJS.mode.CBC, padding: CryptoJS.pad.Pkcs7 }).toString(CryptoJS.enc.Utf8);
  } catch {
    // Malformed UTF-8 or padding after a changed byte.
    return { ok: false, reason: 'DIGEST_MISMATCH' };
  }
  const digest = sha256Hex(text);
  if (digest !== expectedDigest) return { ok: false, reason: 'DIGEST_MISMATCH' };
  try {
    return { ok: true, value: JSON.parse(text), digest };
  } catch {
    return { ok: false, reason: 'UNREADABLE_PLAINTEXT' };
  }
}

function assertBidShape(b: BidPlaintext): void {
  if (!b || typeof b !== 'object') throw new Error('a bid is an object');
  if (!Number.isSafeInteger(b.tenderId) || b.tenderId < 1 || !Number.isSafeInteger(b.supplierId) || b.supplierId < 1) throw new Error('tenderId and supplierId are positive integers');
  if (!Number.isSafeInteger(b.priceFen) || b.priceFen < 1) throw new Error('priceFen is a positive integer (fen)');
  if (!b.responses || typeof b.responses !== 'object' || Array.isArray(b.responses) || Object.values(b.responses).some((v) => typeof v !== 'string')) throw new Error('responses map each requirement to text');
  if (!Array.isArray(b.attachments) || b.attachments.some((a) => !a || typeof a.name !== 'string' || typeof a.type !== 'string' || typeof a.dataBase64 !== 'string')) throw new Error('attachments are {name, type, dataBase64}');
  if (typeof b.nonce !== 'string' || !/^[0-9a-f]{32}$/.test(b.nonce)) throw new Error('nonce is 16 random bytes in hex');
}

/** The key file a bidder downloads and keeps until the opening. */
export function keyFileContent(x: { tenderId: number; tenderReference: string; receiptNo: string; digest: string; keyHex: string }): string {
  return JSON.stringify({ kind: 'sunshine-bid-key', version: ENVELOPE_VERSION, ...x }, null, 2);
}

export function keyFromKeyFile(text: string): string {
  const k = JSON.parse(text);
  if (!k || k.kind !== 'sunshine-bid-key' || typeof k.keyHex !== 'string' || !isKeyHex(k.keyHex)) throw new Error('not a bid key file');
  return k.keyHex;
}
