// A server error as the user reads it: its `code` mapped to a message in the user's language
// (client/src/views/errors/messages.ts), and for a rejected request body which field and why.
// Pure (the translation function is passed in) so that unit tests run it without the browser build.
type T = (key: string, vars?: Record<string, string | number>) => string;

interface SchemaDetail { in?: string; path?: string; message?: string; params?: Record<string, unknown> }


/** The field a validation detail names ("/items/0/quantity" → 采购明细 第 1 项 数量). */
function fieldName(t: T, d: SchemaDetail): string {
  const has = (key: string) => t(key) !== key;
  const parts = (d.path ?? '/').split('/').filter(Boolean);
  const missing = d.params?.missingProperty;
  if (typeof missing === 'string') parts.push(missing);
  if (!parts.length) return t('err.field.body');
  const named = parts.map((p) => (/^\d+$/.test(p) ? t('err.field.item', { n: Number(p) + 1 }) : has(`err.f.${p}`) ? t(`err.f.${p}`) : null));
  // A field without a name of its own is described by the nearest named one around it.
  const shown = named.filter((x): x is string => x !== null);
  return shown.length ? shown.join(' ') : t('err.field.body');
}

/** Why a value was refused, from ajv's keyword (read from its params and message). */
function validationText(t: T, d: SchemaDetail): string {
  const field = fieldName(t, d);
  const p = d.params ?? {};
  const m = d.message ?? '';
  const limit = p.limit as number | undefined;
  if (p.missingProperty !== undefined) return t('err.field.required', { field });
  if (p.additionalProperty !== undefined) return t('err.field.additional', { field });
  if (p.allowedValues !== undefined || p.allowedValue !== undefined) return t('err.field.enum', { field });
  if (p.type !== undefined) return t('err.field.type', { field });
  if (p.format !== undefined) return t('err.field.format', { field });
  if (p.pattern !== undefined) return t('err.field.pattern', { field });
  if (limit !== undefined) {
    if (/characters/.test(m)) return t(/fewer/.test(m) ? 'err.field.minLength' : 'err.field.maxLength', { field, limit });
    if (/items/.test(m)) return t(/fewer/.test(m) ? 'err.field.minItems' : 'err.field.maxItems', { field, limit });
    if (p.comparison === '>=' || p.comparison === '>') return t('err.field.min', { field, limit });
    if (p.comparison === '<=' || p.comparison === '<') return t('err.field.max', { field, limit });
  }
  return t('err.field.other', { field });
}

/** The user's message for an error answer {code, details} with this HTTP status. */
export function errorMessage(t: T, code: string, details: unknown, status = 0): string {
  const has = (key: string) => t(key) !== key;
  if (Array.isArray(details) && details.length && (code === 'VALIDATION_FAILED' || status === 400)) {
    const lines = [...new Set((details as SchemaDetail[]).map((d) => validationText(t, d)))];
    return lines.join('；');
  }
  if (has(`err.${code}`)) return t(`err.${code}`);
  if (/^HTTP_\d+$/.test(code)) return t('err.http', { status: code.slice(5) });
  if (code === 'NETWORK') return t('err.network');
  if (status === 401) return t('err.UNAUTHENTICATED');
  if (status === 403) return t('err.FORBIDDEN');
  if (status === 404) return t('err.NOT_FOUND');
  return t('err.unknown');
}
