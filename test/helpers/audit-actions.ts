// Every audit action the code records, read from its source: `action: 'x.y'` (also inside a
// conditional, `a ? 'x.y' : 'x.z'`) in server/ and db/, and `action: \`x.${…}\`` as the prefix
// `x.*` (a family whose last part is computed: approval.approved, alert.closed, …).
import fs from 'node:fs';
import path from 'node:path';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

export function recordedActions(roots = ['server', 'db']): { exact: Map<string, string>; families: Map<string, string> } {
  const exact = new Map<string, string>();
  const families = new Map<string, string>();
  for (const f of roots.flatMap((r) => sources(path.resolve(r)))) {
    const text = fs.readFileSync(f, 'utf8');
    const rel = path.relative('.', f);
    for (const m of text.matchAll(/\baction:\s*([^,}\n]+)/g)) {
      const expr = m[1].trim();
      if (expr.startsWith('`')) {
        const prefix = /^`([a-z_.]+)\$\{/.exec(expr);
        if (prefix) families.set(`${prefix[1]}*`, rel);
        continue;
      }
      for (const q of expr.matchAll(/'([a-z_]+(?:\.[a-z_]+)+)'/g)) exact.set(q[1], rel);
    }
  }
  return { exact, families };
}
