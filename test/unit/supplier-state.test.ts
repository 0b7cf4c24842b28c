import { expect } from 'chai';
import { afterReview, afterResubmit, decisionNeedsReason } from '../../server/execution/suppliers/state-machine';
import { passwordProblem } from '../../server/execution/suppliers/service';

describe('supplier application states', () => {
  it('reviews only pending applications, and lets refused ones be resubmitted', () => {
    expect(afterReview('pending', 'approve')).to.equal('approved');
    expect(afterReview('pending', 'reject')).to.equal('rejected');
    expect(afterReview('pending', 'request_more')).to.equal('more_info');
    for (const s of ['approved', 'rejected', 'more_info'] as const) expect(afterReview(s, 'approve'), s).to.equal(null);
    expect(afterResubmit('more_info')).to.equal('pending');
    expect(afterResubmit('rejected')).to.equal('pending');
    expect(afterResubmit('approved')).to.equal(null);
    expect(decisionNeedsReason('approve')).to.equal(false);
    expect(decisionNeedsReason('reject')).to.equal(true);
  });

  it('asks new accounts for a real password', () => {
    expect(passwordProblem('short1')).to.match(/10/);
    expect(passwordProblem('onlyletterspassword')).to.match(/digits/);
    expect(passwordProblem('Sunshine@2026')).to.match(/letters and digits|demo/);
    expect(passwordProblem('Chenguang2026')).to.equal(null);
  });
});
