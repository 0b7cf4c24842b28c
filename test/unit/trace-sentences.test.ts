// The trace tells every audit action as a sentence in both languages: every action the code
// records (record()/recordMany() calls in server/ and db/, read from the source) has a zh-CN and
// an English template, its own or its family's (`approval.*`), so a new action cannot slip
// through as a raw key. And the sentences name people, units and things as people know them.
import { expect } from 'chai';
import { recordedActions } from '../helpers/audit-actions';
import { messages as story } from '../../client/src/views/supervision/story/messages';
import { messages as tendering } from '../../client/src/views/tendering/messages';
import { messages as errors } from '../../client/src/views/errors/messages';
import { zhCN } from '../../client/src/i18n/zh-CN';
import { en } from '../../client/src/i18n/en';
import { sayEvent, sentenceKey, type StoryEvent, type StoryNames } from '../../client/src/views/supervision/story/sentences';

type Locale = 'zh-CN' | 'en';
const catalog = (l: Locale): Record<string, string> => ({ ...(l === 'en' ? en : zhCN), ...errors[l], ...tendering[l], ...story[l] });
const translator = (l: Locale) => {
  const c = catalog(l);
  return (key: string, vars: Record<string, string | number> = {}) => (c[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? `{${k}}`));
};
const fmt = (l: Locale) => ({
  t: translator(l),
  locale: l,
  money: (fen: number) => new Intl.NumberFormat(l, { style: 'currency', currency: 'CNY', minimumFractionDigits: 2 }).format(fen / 100),
  time: (iso: string) => new Intl.DateTimeFormat(l, { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)),
});
const names: StoryNames = { users: { '7': '王经办', '9': '李投标' }, suppliers: { '12': '华东办公设备有限公司' }, orgs: { '3': { zh: '市教育局', en: 'Education Bureau' } }, refs: { 'tender:6': 'ZB2026-00006', 'project:4': 'PRJ-2026-000004' } };
const event = (action: string, after: Record<string, unknown> = {}, more: Partial<StoryEvent> = {}): StoryEvent => ({ seq: 1, occurredAt: '2026-03-02T01:00:00.000Z', actorId: 9, actorName: '李投标', actorRole: 'supplier', action, entityType: 'tender', entityId: '6', before: null, after, ip: '10.0.0.1', ...more });

describe('the trace tells every recorded audit action as a sentence', () => {
  const { exact, families } = recordedActions();

  it('finds the actions the code records', () => {
    expect(exact.size).to.be.greaterThan(100);
    for (const a of ['bid.submitted', 'bid.key_rejected', 'tender.opening_record', 'requisition.submitted', 'auction.bids_accepted', 'auth.login']) expect(exact.has(a), a).to.equal(true);
    for (const f of ['approval.*', 'alert.*', 'payment.*', 'draw.notification_*']) expect(families.has(f), f).to.equal(true);
  });

  for (const l of ['zh-CN', 'en'] as const) {
    it(`every action and every family has a ${l} sentence`, () => {
      const c = catalog(l);
      const has = (k: string) => k in c;
      const missing = [...exact].filter(([a]) => !sentenceKey(a, has)).map(([a, f]) => `${a} (${f})`);
      missing.push(...[...families].filter(([a]) => !has(`supervision.story.say.${a}`)).map(([a, f]) => `${a} (${f})`));
      expect(missing, `actions without a sentence in client/src/views/supervision/story/messages.ts`).to.deep.equal([]);
    });

    it(`every sentence renders without a placeholder, a raw key or the other language (${l})`, () => {
      const c = catalog(l);
      for (const key of Object.keys(c).filter((k) => k.startsWith('supervision.story.say.'))) {
        const action = key.slice('supervision.story.say.'.length).replace(/\*$/, 'approved');
        const s = sayEvent(event(action, { supplierId: 12, tenderId: 6, amountFen: 123_456_789, reason: 'WRONG_KEY', receiptNo: 'ZB2026-00006-0A1B2C3D4E', status: 'approved' }), names, fmt(l));
        expect(s, key).to.not.match(/\{\w+\}/);
        expect(s, key).to.not.match(/\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z_.]+\b/); // no raw key
        if (l === 'zh-CN') expect(s.replace(/ZB2026-\S+|IP|OCDS|10\.0\.0\.1/g, ''), key).to.not.match(/[A-Za-z]{2,}/);
        else expect(s.replace(/华东办公设备有限公司|李投标/g, ''), key).to.not.match(/[\u4e00-\u9fff]/);
      }
    });
  }

  it('names the bidder, the tender by its number, money in yuan and times in China', () => {
    const zh = fmt('zh-CN');
    expect(sayEvent(event('bid.key_rejected', { tenderId: 6, supplierId: 12, receiptNo: 'ZB2026-00006-0A1B2C3D4E', reason: 'WRONG_KEY', attemptsUsed: 1, attemptsLeft: 4, maxAttempts: 5 }), names, zh)).to.equal('华东办公设备有限公司提交的密钥被拒绝（密钥错误），投标仍保持密封；已用 1 次，还剩 4 次');
    expect(sayEvent(event('bid.key_rejected', { tenderId: 6, supplierId: 12, reason: 'WRONG_KEY', attemptsUsed: 1, attemptsLeft: 4 }), names, fmt('en'))).to.equal('A key handed in by 华东办公设备有限公司 was refused (wrong key); the bid stays sealed; 1 used, 4 left');
    const published = sayEvent(event('tender.published', { budgetFen: 200_000_000, tenderPeriodEnd: '2026-03-23T07:00:00.000Z' }, { actorId: 7, actorName: null, actorRole: 'operator' }), names, zh);
    expect(published).to.include('王经办发布招标公告 ZB2026-00006');
    expect(published).to.include('¥2,000,000.00');
    expect(published).to.include('15:00'); // 07:00 UTC is 15:00 in Beijing
    // A thing without a known reference is named by its kind, never "tender #7".
    const unknown = sayEvent(event('tender.opened', { bids: 3 }, { entityId: '7', actorId: null, actorName: null, actorRole: 'system:tender.open' }), names, zh);
    expect(unknown).to.match(/^招标（内部编号 7）开标，共 3 份投标/);
    expect(unknown).to.not.include('#');
    // An action nobody wrote a sentence for still reads as a sentence, not a key.
    expect(sayEvent(event('something.new_here'), names, zh)).to.equal('李投标记录了一项操作');
    // The family's computed part is translated.
    expect(sayEvent(event('approval.approved', { requisitionId: 5 }, { entityType: 'approval_step', actorId: 7, actorRole: 'approver' }), names, zh)).to.equal('王经办对采购申请（内部编号 5）的审批环节作出处理：通过');
  });
});
