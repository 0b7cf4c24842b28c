// Builds the browser client (Vite) unless dist/client already holds a build of exactly these
// sources: a second `npm test` started beside a first one (CI runs the SQLite and MariaDB suites
// side by side) must not empty dist/client under the first one's browser tests.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist', 'client');
const STAMP = path.join(OUT, '.sources-digest');
// The client imports a few server modules (shared formats and validation), so both trees count.
const INPUTS = ['client', 'server', 'vite.config.ts', 'package-lock.json', 'tsconfig.json'];

function digest(): string {
  const h = crypto.createHash('sha256');
  const walk = (p: string) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
      return;
    }
    h.update(path.relative(ROOT, p)).update('\0').update(fs.readFileSync(p)).update('\0');
  };
  for (const i of INPUTS) walk(path.join(ROOT, i));
  return h.digest('hex');
}

const want = digest();
const have = fs.existsSync(path.join(OUT, 'index.html')) && fs.existsSync(STAMP) ? fs.readFileSync(STAMP, 'utf8').trim() : null;
if (have === want && process.env.FORCE_BUILD !== '1') {
  console.log('client build is up to date with its sources (FORCE_BUILD=1 rebuilds)');
} else {
  process.chdir(ROOT); // vite.config.ts names its root relative to the repository
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  fs.writeFileSync(STAMP, `${want}\n`);
}
