// The pages of client/src/views/registry.ts and their roles, read from its source (the registry
// itself imports the browser views and cannot load under Node).
import fs from 'node:fs';
import path from 'node:path';

export interface ViewMeta { path: string; roles: string[] | 'all' | 'public' }

export const VIEWS_META: ViewMeta[] = (() => {
  const src = fs.readFileSync(path.resolve('client/src/views/registry.ts'), 'utf8');
  const out: ViewMeta[] = [];
  for (const m of src.matchAll(/\{ path: '([^']+)', nav: [^,]+, roles: (\[[^\]]*\]|'all'|'public')/g)) {
    const roles = m[2].startsWith('[') ? [...m[2].matchAll(/'(\w+)'/g)].map((r) => r[1]) : (m[2].slice(1, -1) as 'all' | 'public');
    out.push({ path: m[1], roles });
  }
  if (out.length < 30) throw new Error(`read only ${out.length} views from registry.ts`);
  return out;
})();
