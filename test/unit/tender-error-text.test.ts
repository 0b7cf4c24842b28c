import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { tenderErrorMessage } from '../../client/src/views/tendering/error-text';
import { messages as errors } from '../../client/src/views/errors/messages';
import { messages as tendering } from '../../client/src/views/tendering/messages';
import * as schemas from '../../server/execution/tendering/schemas';
import { serverErrorCodes } from './error-messages.test';

// Every error a tendering page can receive reads as a message in the page's language: the codes
// the tendering module (and the shared edge: validation, sign-in, roles, state) answers with, and
// ajv's details for every field of the tendering request bodies. Never the code, never the
// server's English, never a {placeholder}.
const tr = (lang: 'zh-CN' | 'en') => {
  const all = { ...(errors[lang] as Record<string, string>), ...(tendering[lang] as Record<string, string>) };
  return (key: string, vars: Record<string, string | number> = {}) => (all[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Codes thrown by the tendering module: the suite's code finder, plus codes passed to assertStatus and computed ternaries. */
function tenderingCodes(): string[] {
  const all = serverErrorCodes();
  const codes = new Set<string>();
  for (const f of sources(path.resolve('server/execution/tendering'))) {
    const s = fs.readFileSync(f, 'utf8');
    for (const m of s.matchAll(/'([A-Z][A-Z0-9_]{2,})'/g)) if (all.has(m[1])) codes.add(m[1]);
    for (const m of s.matchAll(/assertStatus\([^)]*'([A-Z][A-Z0-9_]+)'\)/g)) codes.add(m[1]);
    for (const m of s.matchAll(/new \w*Error\([^;]*?\? '([A-Z][A-Z0-9_]+)' : '([A-Z][A-Z0-9_]+)'/g)) [m[1], m[2]].forEach((c) => codes.add(c));
  }
  // The shared edge every tendering route answers with.
  for (const c of ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CSRF_FAILED', 'RATE_LIMITED', 'PAYLOAD_TOO_LARGE', 'SERVICE_UNAVAILABLE', 'INTERNAL']) if (all.has(c)) codes.add(c);
  return [...codes].sort();
}

/** The ajv details a body's field can produce (missing, wrong type, too long, out of range). */
function detailsFor(schema: any): Array<Array<{ in: string; path: string; message: string; params: Record<string, unknown> }>> {
  const out: Array<Array<{ in: string; path: string; message: string; params: Record<string, unknown> }>> = [];
  for (const [name, prop] of Object.entries<any>(schema.properties ?? {})) {
    out.push([{ in: 'body', path: '/', message: `must have required property '${name}'`, params: { missingProperty: name } }]);
    out.push([{ in: 'body', path: `/${name}`, message: 'must be string', params: { type: prop.type ?? 'string' } }]);
    if (prop.maxLength) out.push([{ in: 'body', path: `/${name}`, message: `must NOT have more than ${prop.maxLength} characters`, params: { limit: prop.maxLength } }]);
    if (prop.maximum !== undefined) out.push([{ in: 'body', path: `/${name}`, message: `must be <= ${prop.maximum}`, params: { comparison: '<=', limit: prop.maximum } }]);
    if (prop.additionalProperties?.maximum !== undefined) out.push([{ in: 'body', path: `/${name}/technical`, message: `must be <= ${prop.additionalProperties.maximum}`, params: { comparison: '<=', limit: prop.additionalProperties.maximum } }]);
  }
  out.push([{ in: 'body', path: '/', message: 'must NOT have additional properties', params: { additionalProperty: 'price' } }]);
  return out;
}

/** Latin words a Chinese message may hold: none but the digest's name. */
const latin = (text: string) => (text.replace(/SHA-256|PDF/g, '').match(/[A-Za-z]{2,}/g) ?? []);

const BODIES = { tenderBody: schemas.tenderBody, noticeBody: schemas.noticeBody, cancelBody: schemas.cancelBody, bidBody: schemas.bidBody, keyBody: schemas.keyBody, scoreBody: schemas.scoreBody, explanationRequestBody: schemas.explanationRequestBody, explanationBody: schemas.explanationBody, decisionBody: schemas.decisionBody, confirmBody: schemas.confirmBody, awardBody: schemas.awardBody, drawBody: schemas.drawBody };

describe('tendering pages: every server error reads in the page language', () => {
  const codes = tenderingCodes();

  it('finds the codes the tendering routes answer with', () => {
    for (const c of ['SCORE_OUT_OF_RANGE', 'SCORES_INCOMPLETE', 'REASON_REQUIRED', 'PRICE_SCORE_COMPUTED', 'UNKNOWN_CRITERION', 'NOT_AWAITING_CONFIRMATION', 'BIDDING_CLOSED', 'PRICE_WEIGHT_OUT_OF_RANGE', 'VALIDATION_FAILED']) expect(codes, c).to.include(c);
  });

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`every code, with and without its details, in ${lang}`, () => {
      const t = tr(lang);
      for (const code of codes) {
        for (const details of [null, { max: 40, criterion: 'technical' }, { missing: [{ bidId: 1, missing: ['q-tax'] }] }, { violations: [{ code, details: { min: 30, max: 60, given: 25, sum: 110 } }] }]) {
          const text = tenderErrorMessage(t, { code, status: 422, details });
          expect(text, code).to.not.include(code);
          expect(text, code).to.not.match(/\{\w+\}/);
          if (lang === 'zh-CN') {
            expect(text, code).to.match(/[\u4e00-\u9fff]/);
            expect(latin(text), `${code}: ${text}`).to.deep.equal([]);
          } else expect(text, code).to.not.match(/[\u4e00-\u9fff]/);
        }
      }
    });

    it(`ajv details for every field of every tendering body name the field, in ${lang}`, () => {
      const t = tr(lang);
      for (const [body, schema] of Object.entries(BODIES)) {
        for (const details of detailsFor(schema)) {
          const text = tenderErrorMessage(t, { code: 'VALIDATION_FAILED', status: 400, details });
          const field = details[0].params.missingProperty ?? details[0].path.split('/')[1];
          if (lang === 'zh-CN') {
            expect(latin(text), `${body} ${field}: ${text}`).to.deep.equal([]);
            if (field) expect(text, `${body} ${field}`).to.not.include('提交的内容');
          } else expect(text, `${body} ${field}`).to.not.match(/[\u4e00-\u9fff]/);
        }
      }
    });
  }

  it('reads the numbers the server sends: the score range, the bids still incomplete, the legal range', () => {
    const zh = tr('zh-CN');
    const en = tr('en');
    expect(tenderErrorMessage(zh, { code: 'SCORE_OUT_OF_RANGE', status: 422, details: { criterion: 'technical', max: 40 } })).to.equal('该项评分应在 0 至 40 分之间');
    expect(tenderErrorMessage(en, { code: 'SCORE_OUT_OF_RANGE', status: 422, details: { criterion: 'technical', max: 40 } })).to.equal('This score must be between 0 and 40 points');
    expect(tenderErrorMessage(zh, { code: 'SCORES_INCOMPLETE', status: 422, details: { missing: [{ bidId: 1, missing: ['a'] }, { bidId: 2, missing: ['b'] }] } })).to.match(/^还有 2 份投标/);
    expect(tenderErrorMessage(zh, { code: 'PRICE_WEIGHT_OUT_OF_RANGE', status: 422, details: { violations: [{ code: 'PRICE_WEIGHT_OUT_OF_RANGE', details: { min: 30, max: 60, given: 25 } }] } })).to.equal('价格分值应在 30% 至 60% 之间（现为 25%）');
    // Without the numbers: the shared message, not a placeholder.
    expect(tenderErrorMessage(zh, { code: 'SCORE_OUT_OF_RANGE', status: 422, details: null })).to.equal('评分超出该项分值范围');
    expect(tenderErrorMessage(zh, { code: 'VALIDATION_FAILED', status: 400, details: [{ in: 'body', path: '/', message: "must have required property 'reason'", params: { missingProperty: 'reason' } }] })).to.equal('请填写“理由”');
  });
});
