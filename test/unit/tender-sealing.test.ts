import { expect } from 'chai';
import { sealBid, openBid, generateBidKey, keyForEnvelope, newPassphraseKdf, canonicalJson, sha256Hex, keyFileContent, keyFromKeyFile, parseEnvelope } from '../../client/src/views/tendering/sealing';

const bid = { tenderId: 7, supplierId: 3, priceFen: 123_456_78, responses: { 'r-spec': '完全响应', 'r-delivery': '30 天' }, attachments: [{ name: 'a.txt', type: 'text/plain', dataBase64: Buffer.from('hello').toString('base64') }] };

describe('tender bid sealing (crypto-js, as in the browser)', () => {
  it('seals with a random 256-bit key and opens with it; the digest is over the canonical plaintext', () => {
    const key = generateBidKey();
    expect(key).to.match(/^[0-9a-f]{64}$/);
    expect(generateBidKey()).to.not.equal(key);
    const s = sealBid(bid, { keyHex: key });
    expect(s.envelope).to.not.include('12345678');
    expect(s.envelope).to.not.include('完全响应');
    const r = openBid(s.envelope, key, s.digest);
    expect(r.ok).to.equal(true);
    if (r.ok) {
      expect(r.bid).to.deep.include({ priceFen: bid.priceFen, responses: bid.responses });
      expect(r.digest).to.equal(sha256Hex(canonicalJson(r.bid)));
    }
  });

  it('the same bid sealed twice gives different ciphertexts and digests (random IV and nonce)', () => {
    const key = generateBidKey();
    const a = sealBid(bid, { keyHex: key });
    const b = sealBid(bid, { keyHex: key });
    expect(a.envelope).to.not.equal(b.envelope);
    expect(a.digest).to.not.equal(b.digest);
  });

  it('detects a wrong key', () => {
    const s = sealBid(bid, { keyHex: generateBidKey() });
    expect(openBid(s.envelope, generateBidKey(), s.digest)).to.deep.equal({ ok: false, reason: 'WRONG_KEY' });
  });

  it('detects a flipped ciphertext byte, wherever it is', () => {
    const key = generateBidKey();
    const s = sealBid(bid, { keyHex: key });
    const env = JSON.parse(s.envelope);
    const raw = Buffer.from(env.ct, 'base64');
    for (const pos of [0, 17, raw.length - 1]) {
      const copy = Buffer.from(raw);
      copy[pos] ^= 0x01;
      const r = openBid(JSON.stringify({ ...env, ct: copy.toString('base64') }), key, s.digest);
      expect(r.ok, `byte ${pos}`).to.equal(false);
      if (!r.ok) expect(r.reason).to.equal('DIGEST_MISMATCH');
    }
    // A changed IV changes the first block: caught too.
    const iv = env.iv.slice(0, -1) + (env.iv.endsWith('0') ? '1' : '0');
    expect(openBid(JSON.stringify({ ...env, iv }), key, s.digest)).to.deep.equal({ ok: false, reason: 'DIGEST_MISMATCH' });
  });

  it('derives the key from a passphrase with PBKDF2 and the salt kept in the envelope', () => {
    const s = sealBid(bid, { passphrase: 'open sesame 2026', kdf: newPassphraseKdf(2000) });
    const key = keyForEnvelope(s.envelope, { passphrase: 'open sesame 2026' });
    expect(key).to.equal(s.keyHex);
    expect(openBid(s.envelope, key, s.digest).ok).to.equal(true);
    expect(openBid(s.envelope, keyForEnvelope(s.envelope, { passphrase: 'open sesame 2027' }), s.digest)).to.deep.equal({ ok: false, reason: 'WRONG_KEY' });
    expect(() => sealBid(bid, { passphrase: 'short' })).to.throw(/8 characters/);
  });

  it('round-trips the key file and rejects malformed envelopes and bids', () => {
    const s = sealBid(bid, { keyHex: generateBidKey() });
    const file = keyFileContent({ tenderId: 7, tenderReference: 'ZB2026-00007', receiptNo: 'R1', digest: s.digest, keyHex: s.keyHex });
    expect(keyFromKeyFile(file)).to.equal(s.keyHex);
    expect(() => keyFromKeyFile('{"kind":"other"}')).to.throw();
    expect(parseEnvelope('not json')).to.equal(null);
    expect(openBid('{"v":2}', s.keyHex, s.digest)).to.deep.equal({ ok: false, reason: 'MALFORMED_ENVELOPE' });
    expect(() => sealBid({ ...bid, priceFen: 12.5 }, { keyHex: generateBidKey() })).to.throw(/integer/);
  });

  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: 'x' } })).to.equal('{"a":{"c":"x","d":[2,{"e":0,"f":1}]},"b":1}');
  });
});

describe('a passphrase key derived natively on the server (demo bids)', () => {
  it('is the key the browser derives from the same passphrase, so the bidder opens the envelope with it', async () => {
    const { passphraseKey } = await import('../../server/execution/tendering/seed');
    const k = passphraseKey('Sunshine@2026');
    const s = sealBid(bid, k);
    expect(JSON.parse(s.envelope).kdf).to.deep.equal(k.kdf);
    const browserKey = keyForEnvelope(s.envelope, { passphrase: 'Sunshine@2026' }); // crypto-js PBKDF2, as in the page
    expect(browserKey).to.equal(k.keyHex);
    expect(openBid(s.envelope, browserKey!, s.digest).ok).to.equal(true);
  });
});
