// Screenshots of the screens people use all day, for looking at them as their users do:
// every demo role's home page, the competition room during bidding (the demo supplier), the
// supervision board and the evaluation watch, in zh-CN and English.
// Usage: npx tsx test/tools/screenshots.ts [outDir]   (default /tmp/sunshine-screens; needs a build)
import fs from 'node:fs';
import path from 'node:path';
import { startServerAndBrowser, closeServerAndBrowser, loginThroughPage } from '../helpers/browser';
import { DEMO_ACCOUNTS } from '../../db/seeds/demo-accounts';

const out = path.resolve(process.argv[2] ?? '/tmp/sunshine-screens');
fs.mkdirSync(out, { recursive: true });
const { s, browser } = await startServerAndBrowser({ seed: 'demo' });
try {
  const running = await s.tdb.db('auctions').where({ status: 'running' }).orderBy('id').first('id');
  const evaluation = await s.tdb.db('tenders').where({ status: 'report_confirmation' }).first('id');
  const shots: Array<{ user: string; name: string; path: string; ready: string; open?: string }> = [
    ...DEMO_ACCOUNTS.map((a) => ({ user: a.username, name: `home-${a.username}`, path: '/', ready: 'main h1' })),
    { user: 'supplier', name: 'competition-room', path: `/auctions/${running.id}`, ready: '[data-testid=auction-chart]:not([hidden]) svg' },
    { user: 'supervisor', name: 'supervision-board', path: '/supervision', ready: '[data-testid=board-open-alerts]', open: '[data-testid=board-alerts] > summary' },
    { user: 'supervisor', name: 'evaluation-watch', path: `/supervision/evaluations/${evaluation.id}`, ready: '[data-testid=eval-watch-entries] li' },
  ];
  for (const shot of shots) {
    for (const lang of ['zh', 'en'] as const) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      await loginThroughPage(page, s.url, shot.user);
      if (lang === 'en') await page.getByTestId('lang-switch').click();
      await page.goto(s.url + shot.path);
      if (shot.open) await page.locator(shot.open).click(); // a collapsed section, opened as its user would
      await page.locator(shot.ready).first().waitFor();
      await page.screenshot({ path: path.join(out, `${shot.name}-${lang}.png`), fullPage: true });
      await ctx.close();
    }
  }
  console.log(`${shots.length * 2} screenshots in ${out}`);
} finally {
  await closeServerAndBrowser(s, browser);
}
