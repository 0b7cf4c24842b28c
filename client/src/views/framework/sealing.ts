// A framework response sealed exactly as a tender bid is (the tendering envelope: AES-256-CBC under
// a key the supplier holds, a key file or a passphrase). Shared by the browser, which seals it, and
// the server, which opens it with the key the supplier hands in at the opening.
import { openPayload, randomHex, sealPayload, type OpenFailure, type SealKey, type SealResult } from '../tendering/sealing';

export interface ResponsePlaintext {
  agreementId: number;
  supplierId: number;
  items: Array<{ itemId: number; unitPriceFen: number; brand: string; model: string }>;
  statement: string;
  nonce: string;
}

export function sealResponse(response: Omit<ResponsePlaintext, 'nonce'>, key: SealKey): SealResult {
  const plain: ResponsePlaintext = { ...response, items: [...response.items].sort((x, y) => x.itemId - y.itemId), nonce: randomHex(16) };
  assertResponseShape(plain);
  return sealPayload(plain, key);
}

export function openResponse(envelope: string, keyHex: string, digest: string): { ok: true; response: ResponsePlaintext } | { ok: false; reason: OpenFailure } {
  const r = openPayload(envelope, keyHex, digest);
  if (!r.ok) return r;
  try {
    assertResponseShape(r.value as ResponsePlaintext);
  } catch {
    return { ok: false, reason: 'UNREADABLE_PLAINTEXT' };
  }
  return { ok: true, response: r.value as ResponsePlaintext };
}

function assertResponseShape(r: ResponsePlaintext): void {
  const pos = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 1;
  if (!r || typeof r !== 'object' || !pos(r.agreementId) || !pos(r.supplierId)) throw new Error('agreementId and supplierId are positive integers');
  if (typeof r.statement !== 'string' || !Array.isArray(r.items) || r.items.length < 1) throw new Error('a response has a statement and items');
  if (r.items.some((i) => !i || !pos(i.itemId) || !pos(i.unitPriceFen) || typeof i.brand !== 'string' || typeof i.model !== 'string')) throw new Error('each item has an itemId, a price in fen, a brand and a model');
  if (typeof r.nonce !== 'string' || !/^[0-9a-f]{32}$/.test(r.nonce)) throw new Error('nonce is 16 random bytes in hex');
}

/** The key file a supplier downloads and keeps until the opening (the tendering key file's form). */
export function responseKeyFileContent(x: { agreementId: number; agreementRef: string; receiptNo: string; digest: string; keyHex: string }): string {
  return JSON.stringify({ kind: 'sunshine-bid-key', version: 1, ...x }, null, 2);
}
