import { expect } from 'chai';
import { noticeDate, noticeTime } from '../../server/core/notices/notice-time';

// Times inside published text are Beijing time in the text's language, never UTC text.
describe('notice times: Beijing time in the notice language', () => {
  const at = new Date('2026-12-05T16:58:30.319Z'); // 00:58:30 on 6 December in Beijing
  it('zh and en, with and without seconds and zone', () => {
    expect(noticeTime(at, 'zh')).to.equal('2026年12月6日 00:58（北京时间）');
    expect(noticeTime(at, 'en')).to.equal('6 Dec 2026, 00:58 (Beijing time)');
    expect(noticeTime(at, 'zh', { seconds: true, zone: false })).to.equal('2026年12月6日 00:58:30');
    expect(noticeDate(at, 'zh')).to.equal('2026年12月6日');
    expect(noticeDate(at, 'en')).to.equal('6 Dec 2026');
    expect(noticeTime(at, 'zh')).to.not.match(/UTC|\d{4}-\d\d-\d\dT/);
  });
});
