import { expect } from 'chai';
import { isValidCreditCode, withCheckChar } from '../../server/execution/suppliers/credit-code';

describe('unified social credit code', () => {
  it('accepts published valid codes', () => {
    // Check characters computed by GB 32100-2015 for real-world-shaped codes.
    expect(isValidCreditCode('91350100M000100Y43')).to.equal(true);
    expect(isValidCreditCode(withCheckChar('91330100MA2GLX8C3'))).to.equal(true);
  });
  it('rejects a wrong check character, bad length and forbidden letters', () => {
    const good = withCheckChar('91330100MA2GLX8C3');
    const wrong = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    expect(isValidCreditCode(wrong)).to.equal(false);
    expect(isValidCreditCode(good.slice(0, 17))).to.equal(false);
    expect(isValidCreditCode('91330100MA2GLX8CI' + 'X')).to.equal(false); // I is not in the alphabet
  });
});
