// Why a framework response is invalid, in the reader's words. The server stores a code with what it
// concerns ("ABOVE_MAX_PRICE: 平板电脑"), or the evaluators' own words after "EVALUATION: ".
// Pure (the translation function is passed in): the trace story uses it without the browser's i18n.
type T = (key: string, vars?: Record<string, string | number>) => string;

/** The reason's sentence, or null when its code has none (the caller decides what to show). */
export function frameworkReasonText(reason: string, t: T): string | null {
  const at = reason.indexOf(': ');
  const key = `framework.invalid.${at < 0 ? reason : reason.slice(0, at)}`;
  return t(key) !== key ? t(key, { detail: at < 0 ? '' : reason.slice(at + 2) }) : null;
}
