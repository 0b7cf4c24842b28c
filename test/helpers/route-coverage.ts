// Route coverage: a mocha root-hook plugin (loaded by .mocharc.json "require") that records, for the
// whole mocha process, which declared API route answered with which status (every test server is
// built by createPlatform → mount(), which reports to the process-wide route observer), and, when
// the whole suite runs (every test file under test/unit, test/integration and test/browser is
// loaded, no --grep), adds one last test: every operation of GET /api/openapi.json must have been
// called with a success status (2xx/3xx) by some test. It lists the ones that were not.
//
//   ROUTE_COVERAGE=report  also run the check for a partial run, and only print the list
//   ROUTE_COVERAGE=off     never run the check
//   ROUTE_COVERAGE_FILE=f  write every observation ({"GET /api/x/{id}": {"200": 3, "404": 1}}) to f
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import Mocha from 'mocha';
import { setRouteObserver } from '../../server/http/route-observer';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SUITE_DIRS = ['test/unit', 'test/integration', 'test/browser'];

/** 'GET /api/things/{id}' → status → count, for every route answered in this process. */
const observed = new Map<string, Map<number, number>>();

export function operationKey(method: string, expressPath: string): string {
  return `${method.toUpperCase()} ${expressPath.replace(/:(\w+)/g, '{$1}')}`;
}

setRouteObserver((method, routePath, status) => {
  const key = operationKey(method, routePath);
  let byStatus = observed.get(key);
  if (!byStatus) observed.set(key, (byStatus = new Map()));
  byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
});

export const isSuccess = (status: number) => status >= 200 && status < 400;

/** The operations of an OpenAPI document that no test called with a success status. */
export function uncovered(doc: { paths: Record<string, Record<string, unknown>> }, seen: ReadonlyMap<string, ReadonlyMap<number, number>>): { total: number; missing: Array<{ operation: string; statuses: string }> } {
  const missing: Array<{ operation: string; statuses: string }> = [];
  let total = 0;
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      total++;
      const key = `${method.toUpperCase()} ${p}`;
      const statuses = seen.get(key);
      if (statuses && [...statuses.keys()].some(isSuccess)) continue;
      missing.push({ operation: key, statuses: statuses ? [...statuses].map(([s, n]) => `${s}×${n}`).join(', ') : 'never called' });
    }
  }
  missing.sort((a, b) => a.operation.split(' ')[1].localeCompare(b.operation.split(' ')[1]) || a.operation.localeCompare(b.operation));
  return { total, missing };
}

function testFilesOnDisk(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts')) out.push(p);
    }
  };
  for (const d of SUITE_DIRS) walk(path.join(ROOT, d));
  return out;
}

function loadedFiles(suite: Mocha.Suite, into = new Set<string>()): Set<string> {
  if (suite.file) into.add(path.resolve(suite.file));
  for (const t of suite.tests) if (t.file) into.add(path.resolve(t.file));
  for (const s of suite.suites) loadedFiles(s, into);
  return into;
}

const grepping = () => process.argv.some((a) => /^(-g|-f|--grep|--fgrep|--invert)(=|$)/.test(a));

export const mochaHooks = {
  beforeAll(this: Mocha.Context) {
    const mode = process.env.ROUTE_COVERAGE ?? 'auto';
    if (mode === 'off') return;
    const root = this.test?.parent;
    if (!root) return;
    const loaded = loadedFiles(root);
    const wholeSuite = !grepping() && testFilesOnDisk().every((f) => loaded.has(f));
    if (mode !== 'report' && !wholeSuite) return;
    const enforce = mode !== 'report';
    const suite = Mocha.Suite.create(root, 'route coverage');
    suite.addTest(
      new Mocha.Test('every OpenAPI operation was called with a success status by some test', async function (this: Mocha.Context) {
        this.timeout(120_000);
        const seen = new Map([...observed].map(([k, v]) => [k, new Map(v)]));
        if (process.env.ROUTE_COVERAGE_FILE) {
          fs.writeFileSync(process.env.ROUTE_COVERAGE_FILE, JSON.stringify(Object.fromEntries([...seen].sort().map(([k, v]) => [k, Object.fromEntries(v)])), null, 1));
        }
        // The document as the API serves it. Loaded here, so a unit-only run never loads the server,
        // and with require, as mocha loads the test files: a dynamic import() would build a second,
        // ESM copy of the server modules beside the ones the suites used (tsx), which Node may refuse.
        const { startTestServer } = createRequire(import.meta.url)('./server') as typeof import('./server');
        const s = await startTestServer({ seed: 'none' });
        let doc: { paths: Record<string, Record<string, unknown>> };
        try {
          const r = await s.client().get('/api/openapi.json');
          if (r.status !== 200) throw new Error(`GET /api/openapi.json answered ${r.status}`);
          doc = r.body;
        } finally {
          await s.stop();
        }
        const { total, missing } = uncovered(doc, seen);
        const summary = `route coverage: ${total - missing.length}/${total} OpenAPI operations called with a success status`;
        const list = missing.map((m) => `  ${m.operation}  (${m.statuses})`).join('\n');
        console.log(`      ${summary}${missing.length ? `\n${list}` : ''}`);
        if (enforce && missing.length) throw new Error(`${missing.length} OpenAPI operation(s) never called with a success (2xx/3xx) status by any test:\n${list}`);
      }),
    );
  },
};
