// The draw's hashes in the browser (crypto-js works on plain http too, unlike WebCrypto).
import CryptoJS from 'crypto-js';
import type { DrawHashes } from '../../../../server/execution/draws/selection';

function toWords(bytes: Uint8Array): CryptoJS.lib.WordArray {
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i++) words[i >>> 2] |= bytes[i] << (24 - (i % 4) * 8);
  return CryptoJS.lib.WordArray.create(words, bytes.length);
}

function toBytes(w: CryptoJS.lib.WordArray): Uint8Array {
  const out = new Uint8Array(w.sigBytes);
  for (let i = 0; i < w.sigBytes; i++) out[i] = (w.words[i >>> 2] >>> (24 - (i % 4) * 8)) & 0xff;
  return out;
}

export const browserHashes: DrawHashes = {
  sha256Hex: (data) => CryptoJS.SHA256(typeof data === 'string' ? CryptoJS.enc.Utf8.parse(data) : toWords(data)).toString(CryptoJS.enc.Hex),
  hmacSha256: (key, message) => toBytes(CryptoJS.HmacSHA256(CryptoJS.enc.Utf8.parse(message), toWords(key))),
};
