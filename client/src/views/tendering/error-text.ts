// A server error on a tendering page as the user reads it: only the localized message, never the
// server's English text or its code. A few codes read better in the tendering context and with
// the numbers the server sends (tendering.err.<CODE>); everything else is the shared message for
// the code or for ajv's details (client/src/errors.ts). Pure, so a unit test runs it for every code.
import { errorMessage } from '../../errors';

type T = (key: string, vars?: Record<string, string | number>) => string;

export interface ErrorLike {
  code: string;
  status: number;
  details: unknown;
}

/** Values a tendering message may show, taken from the error's details. */
function vars(details: unknown): Record<string, string | number> {
  const d = (details && typeof details === 'object' && !Array.isArray(details) ? details : {}) as Record<string, unknown>;
  const out: Record<string, string | number> = {};
  // A broken document rule carries its numbers in the first violation ({violations: [{code, details}]}).
  const first = Array.isArray(d.violations) ? (d.violations[0] as { details?: unknown } | undefined)?.details : null;
  for (const src of [first && typeof first === 'object' ? (first as Record<string, unknown>) : {}, d]) for (const [k, v] of Object.entries(src)) if (typeof v === 'number') out[k] = v;
  if (Array.isArray(d.missing)) out.bids = d.missing.length;
  return out;
}

export function tenderErrorMessage(t: T, e: ErrorLike): string {
  const key = `tendering.err.${e.code}`;
  if (!Array.isArray(e.details) && t(key) !== key) {
    const text = t(key, vars(e.details));
    // A number the message needs but the answer did not carry: the shared message instead of a {placeholder}.
    if (!/\{\w+\}/.test(text)) return text;
  }
  return errorMessage(t, e.code, e.details, e.status);
}
