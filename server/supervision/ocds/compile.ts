// Compiling a record from releases (OCDS 1.1 merge routine): releases in date order; objects
// merge field by field; arrays of objects with an `id` merge item by item on that id; other
// arrays and values are replaced by the later release; `id`, `date` and `tag` are recomputed.
const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);

function mergeValue(a: unknown, b: unknown): unknown {
  if (b === null || b === undefined) return a;
  if (isObj(a) && isObj(b)) return mergeObjects(a, b);
  if (Array.isArray(a) && Array.isArray(b) && b.every((x) => isObj(x) && 'id' in x) && a.every((x) => isObj(x) && 'id' in x)) {
    const out = a.map((x) => ({ ...x }));
    for (const item of b) {
      const i = out.findIndex((x) => String(x.id) === String(item.id));
      if (i >= 0) out[i] = mergeObjects(out[i], item);
      else out.push(item);
    }
    return out;
  }
  return b;
}

function mergeObjects(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = mergeValue(out[k], v);
  return out;
}

export function compileRelease(releases: Array<Record<string, any>>): Record<string, any> {
  const sorted = [...releases].sort((x, y) => String(x.date).localeCompare(String(y.date)));
  let compiled: Record<string, any> = {};
  for (const r of sorted) compiled = mergeObjects(compiled, r);
  const last = sorted[sorted.length - 1];
  return { ...compiled, id: `${last.ocid}-compiled-${last.date}`, date: last.date, tag: ['compiled'] };
}
