import { expect } from 'chai';
import { errorMessage } from '../../client/src/errors';
import { messages } from '../../client/src/views/errors/messages';

// The client's error text (client/src/errors.ts): a code, or ajv's details (which field, why), in the user's language.
const tr = (lang: 'zh-CN' | 'en') => (key: string, vars: Record<string, string | number> = {}) =>
  ((messages[lang] as Record<string, string>)[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? `{${k}}`));

describe('client error text: code and validation details in the user language', () => {
  it('maps codes, statuses and ajv details', () => {
    const zh = tr('zh-CN');
    expect(errorMessage(zh, 'DRAW_SEALED', null, 403)).to.equal('抽取结果密封至揭晓时间');
    expect(errorMessage(zh, 'VALIDATION_FAILED', [{ in: 'body', path: '/', message: "must have required property 'reason'", params: { missingProperty: 'reason' } }], 400)).to.equal('请填写“理由”');
    expect(errorMessage(zh, 'VALIDATION_FAILED', [{ in: 'body', path: '/items/0/quantity', message: 'must be >= 1', params: { comparison: '>=', limit: 1 } }], 400)).to.equal('“采购明细 第 1 项 数量”不能小于 1');
    expect(errorMessage(zh, 'VALIDATION_FAILED', [{ in: 'body', path: '/title', message: 'must NOT have more than 200 characters', params: { limit: 200 } }], 400)).to.equal('“标题”最多 200 个字符');
    expect(errorMessage(zh, 'SOMETHING_NEW', null, 404)).to.equal('找不到该记录');
    expect(errorMessage(zh, 'HTTP_502', null, 502)).to.equal('请求失败（502）');
    expect(errorMessage(zh, 'NETWORK', null, 0)).to.equal('网络连接失败，请检查网络后重试');
    expect(errorMessage(tr('en'), 'INVALID_CREDENTIALS', null, 401)).to.equal('Wrong username or password');
    expect(errorMessage(tr('en'), 'VALIDATION_FAILED', [{ path: '/password', message: 'must NOT have fewer than 8 characters', params: { limit: 8 } }], 400)).to.equal('"password" needs at least 8 characters');
  });
});
