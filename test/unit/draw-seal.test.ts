import { expect } from 'chai';
import { createSealer } from '../../server/execution/draws/seal';

describe('draw sealing (AES-256-GCM, HMAC tags)', () => {
  const sealer = createSealer('0f'.repeat(32));

  it('round-trips, hides the plaintext, and refuses another context or a tampered ciphertext', () => {
    const sealed = sealer.seal({ expertId: 4711, name: '张三' }, 'draw-invitation:9');
    expect(sealed).to.not.include('4711');
    expect(Buffer.from(sealed.split('.')[3], 'base64').toString('utf8')).to.not.include('4711');
    expect(sealer.open(sealed, 'draw-invitation:9')).to.deep.equal({ expertId: 4711, name: '张三' });
    expect(() => sealer.open(sealed, 'draw-invitation:10')).to.throw();
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3], 'base64');
    ct[0] ^= 1;
    expect(() => sealer.open([parts[0], parts[1], parts[2], ct.toString('base64')].join('.'), 'draw-invitation:9')).to.throw();
    expect(() => createSealer('11'.repeat(32)).open(sealed, 'draw-invitation:9')).to.throw();
  });

  it('gives each (draw, expert) its own tag that only the key holder can compute', () => {
    expect(sealer.invitationTag(1, 2)).to.match(/^[0-9a-f]{64}$/);
    expect(sealer.invitationTag(1, 2)).to.equal(sealer.invitationTag(1, 2));
    expect(sealer.invitationTag(1, 2)).to.not.equal(sealer.invitationTag(2, 1));
    expect(createSealer('11'.repeat(32)).invitationTag(1, 2)).to.not.equal(sealer.invitationTag(1, 2));
  });

  it('refuses a key that is not 64 hex characters', () => {
    expect(() => createSealer('abc')).to.throw(/64 hex/);
  });
});
