import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { messages } from '../../client/src/views/errors/messages';

// Every error code the server answers has a message in both languages (client/src/views/errors/messages.ts).
// The codes are read from the server's source, so a new `new RuleError('CODE', …)` without a message fails here.

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Codes that are not error answers: rule and organisation codes, a driver error's code. */
const NOT_ERRORS = /^(R\d+|SV\d+|PU\d+|PROTOCOL_CONNECTION_ABORTED)$/;

export function serverErrorCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  const add = (code: string, file: string) => NOT_ERRORS.test(code) || codes.has(code) || codes.set(code, path.relative('.', file));
  for (const f of sources(path.resolve('server'))) {
    const s = fs.readFileSync(f, 'utf8');
    // new RuleError('CODE', …), new ConflictError('CODE', …), new AppError(409, 'CODE', …)
    for (const m of s.matchAll(/new (?:Rule|Conflict)Error\(\s*'([A-Z][A-Z0-9_]+)'/g)) add(m[1], f);
    for (const m of s.matchAll(/new AppError\(\s*\d+\s*,\s*'([A-Z][A-Z0-9_]+)'/g)) add(m[1], f);
    // new NotFoundError(message, details, 'CODE'), new ValidationError(…, 'CODE'), new ForbiddenError(…, 'CODE')
    for (const m of s.matchAll(/new \w*Error\((?:[^()]|\([^()]*\))*?'([A-Z][A-Z0-9_]{2,})'\s*,?\s*\)/g)) add(m[1], f);
    // {code: 'CODE', message} answers (rule checks, the error handler, the WebSocket hub, bid refusals)
    for (const m of s.matchAll(/\bcode:\s*'([A-Z][A-Z0-9_]+)'/g)) add(m[1], f);
    // the typed errors' default codes (server/http/errors.ts: code = 'VALIDATION_FAILED', …)
    for (const m of s.matchAll(/\bcode = '([A-Z][A-Z0-9_]+)'/g)) add(m[1], f);
    for (const m of s.matchAll(/super\(\d+, '([A-Z][A-Z0-9_]+)'/g)) add(m[1], f);
    // a competition's bid refusals, answered over the WebSocket (REJECTION_MESSAGES in the auction engine)
    const table = /REJECTION_MESSAGES[^=]*= \{([^}]*)\}/.exec(s);
    if (table) for (const m of table[1].matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)) add(m[1], f);
  }
  return codes;
}

describe('server error codes have messages in the user language', () => {
  const codes = serverErrorCodes();

  it('finds the codes the server answers with', () => {
    for (const c of ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'RATE_LIMITED', 'DRAW_SEALED', 'REASON_REQUIRED', 'INVALID_CREDENTIALS', 'DUPLICATE', 'PRICE_WEIGHT_OUT_OF_RANGE', 'INTERNAL']) expect(codes.has(c), c).to.equal(true);
    expect(codes.size).to.be.greaterThan(200);
  });

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`every code has a ${lang} message`, () => {
      const m = messages[lang] as Record<string, string>;
      const missing = [...codes].filter(([c]) => !m[`err.${c}`]).map(([c, f]) => `${c} (${f})`);
      expect(missing, `codes without a ${lang} message in client/src/views/errors/messages.ts`).to.deep.equal([]);
    });
  }

  it('the Chinese messages are Chinese, the English ones English', () => {
    for (const [k, v] of Object.entries(messages['zh-CN'] as Record<string, string>)) {
      expect(v, k).to.match(/[\u4e00-\u9fff]/);
      // Only the allowed Latin: file kinds, the switch values of a rule.
      expect(v.replace(/\{\w+\}/g, '').replace(/\b(PDF)\b/g, '').match(/[A-Za-z]{2,}/g), k).to.equal(null);
    }
    for (const [k, v] of Object.entries(messages.en as Record<string, string>)) expect(v, k).to.not.match(/[\u4e00-\u9fff]/);
  });
});
