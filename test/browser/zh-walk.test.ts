import fs from 'node:fs';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { VIEWS_META } from '../helpers/views';

// Walks every page of the client (client/src/views/registry.ts) as every demo role in Chinese and
// fails on what a Chinese reader should never see: English words, raw snake_case keys and UTC
// timestamps; and on a page without a heading, a field without a label, a table left empty
// (a list says that it has nothing). One server, one browser; pages are opened one after another inside the running
// app and each is read once its requests have answered (<html data-pending="0">).

const ROLES = ['purchaser', 'approver', 'operator', 'supplier', 'expert', 'finance', 'supervisor', 'admin'];

/**
 * Latin text a Chinese page may show. Words with a digit in them (references such as ZB2026-00006,
 * unit codes PU01, rule codes SV10, credit codes) are always allowed; these are the letter-only ones.
 */
export const ALLOWED_LATIN = [
  'English', // the switch to the English interface
  // brand names (a brand is written as its maker writes it); the walk adds every brand and model
  // the suppliers registered
  'Lenovo', 'Huawei', 'MatePad', 'Dell', 'HP', 'Canon', 'Epson', 'Haier', 'Gree', 'Midea', 'Hisense', 'TCL', 'Inspur', 'Sugon', 'Ricoh', 'Brother', 'Xerox', 'Kyocera', 'Konka', 'Skyworth', 'Philips', 'Panasonic', 'Sony', 'Hikvision', 'Dahua', 'Aux', 'Deli', 'ThinkPad', 'ThinkCentre', 'ThinkVision', 'MateBook', 'OptiPlex', 'Latitude', 'LaserJet', 'PIXMA', 'EliteDesk', 'ProBook', 'Yoga', 'Tianyi', 'Qitian', 'Yangtian', 'Kaitian', 'Legion',
  // names and abbreviations people read as written: file formats and sizes, the Excel program,
  // the open-data standard and its process id, the red-flag library, an IP address, the keyed hash
  'PDF', 'JSON', 'CNY', 'OCDS', 'OCID', 'Excel', 'XLSX', 'CSV', 'KB', 'MB', 'IP', 'HMAC', 'Cardinal',
];

/** File name extensions (a user's file, 清单.txt) and contact data the user typed (mail and web addresses). */
const EXTENSIONS = new Set(['txt', 'pdf', 'doc', 'docx', 'xls', 'xlsx', 'csv', 'zip', 'png', 'jpg', 'jpeg', 'json']);
const isAddress = (w: string) => /^[a-z0-9-]+(\.[a-z0-9-]+)*\.(cn|com|org|net|gov\.cn)$/i.test(w);

interface Finding { role: string; path: string; kind: string; sample: string }

/** What a Chinese page must not show, found in its visible text. */
export function findProblems(text: string, allowed = ALLOWED_LATIN): Array<{ kind: string; sample: string }> {
  const out: Array<{ kind: string; sample: string }> = [];
  const allow = new Set(allowed);
  for (const m of text.matchAll(/\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z?|\bUTC\b/g)) out.push({ kind: 'UTC time', sample: context(text, m.index!) });
  for (const m of text.matchAll(/\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b/g)) out.push({ kind: 'raw key', sample: m[0] });
  for (const m of text.matchAll(/[A-Za-z][A-Za-z0-9_.\-]*/g)) {
    const word = m[0].replace(/[.\-_]+$/, '');
    // references and codes: ZB2026-00006, PU01, a hash 2824490417ab…
    if (/\d/.test(word) || word.length < 2 || /[0-9]/.test(text[m.index! - 1] ?? '')) continue;
    if (/_/.test(word)) continue; // reported as a raw key above
    if (word === 'UTC' || word.split(/[.\-]/).every((w) => allow.has(w) || w.length < 2)) continue;
    if ((text[m.index! - 1] === '.' && EXTENSIONS.has(word.toLowerCase())) || isAddress(word) || text[m.index! - 1] === '@' || text[m.index! + m[0].length] === '@') continue;
    out.push({ kind: 'Latin', sample: `${word} ← ${context(text, m.index!)}` });
  }
  return out;
}

function context(text: string, i: number): string {
  return text.slice(Math.max(0, i - 25), i + 45).replace(/\s+/g, ' ');
}

/** Opens a path inside the running app (no page load) and waits until every request has answered. */
async function open(page: Page, path: string): Promise<void> {
  await page.evaluate((p) => {
    history.pushState({}, '', p);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
  await page.locator('main.content').first().waitFor();
  await page.waitForFunction(() => document.documentElement.dataset.pending === undefined || document.documentElement.dataset.pending === '0');
  // A page that loads in steps starts its next request in the same task as the previous answer.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  await page.waitForFunction(() => document.documentElement.dataset.pending === undefined || document.documentElement.dataset.pending === '0');
  // Collapsed sections (the supervision board) are read open: what they hold is on the page too.
  // A raw record folded under its sentence (trace, evaluation watch) is the data itself, not text.
  await page.evaluate(() => document.querySelectorAll('main details:not([open]):not(.raw):not(.trace-raw)').forEach((d) => ((d as HTMLDetailsElement).open = true)));
}

/** Detail pages visited per pattern (different records show different states). */
const DETAILS_PER_PAGE = 3;

/** Links on the page to each detail page pattern, up to DETAILS_PER_PAGE distinct ones. */
async function collectLinks(page: Page, found: Map<string, string[]>): Promise<void> {
  const hrefs = await page.locator('a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!.split(/[?#]/)[0]));
  for (const meta of VIEWS_META.filter((v) => v.path.includes(':'))) {
    const re = new RegExp('^' + meta.path.replace(/:\w+/g, '[^/?#]+') + '$');
    const list = found.get(meta.path) ?? [];
    for (const h of hrefs) if (list.length < DETAILS_PER_PAGE && re.test(h) && !list.includes(h)) list.push(h);
    found.set(meta.path, list);
  }
}

// A string: tsx would wrap named functions in a helper the page does not have.
const STRUCTURE_SCRIPT = `(() => {
  const out = [];
  const main = document.querySelector('main.content');
  if (!main.querySelector('h1')) out.push({ kind: 'no heading', sample: (main.textContent || '').slice(0, 60) });
  const visible = (el) => el.offsetParent !== null;
  for (const el of main.querySelectorAll('input, select, textarea')) {
    if (!visible(el) || ['hidden', 'submit', 'button'].includes(el.type)) continue;
    const labelled = el.closest('label') || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.getAttribute('title');
    if (!labelled) out.push({ kind: 'field without label', sample: el.tagName.toLowerCase() + ' ' + (el.getAttribute('name') || el.getAttribute('data-testid') || '') + ' placeholder=' + (el.getAttribute('placeholder') || '') });
  }
  for (const table of main.querySelectorAll('table')) {
    if (!visible(table) || table.classList.contains('evidence')) continue;
    if (table.querySelector('thead') && !table.querySelector('tbody tr')) out.push({ kind: 'empty table', sample: (table.getAttribute('data-testid') || '') + ' ' + table.querySelector('thead').textContent.slice(0, 50) });
  }
  return out;
})()`;

/** What every page needs besides its language: a heading, a label on each field, no empty table. */
async function structureProblems(page: Page): Promise<Array<{ kind: string; sample: string }>> {
  return page.evaluate(STRUCTURE_SCRIPT) as Promise<Array<{ kind: string; sample: string }>>;
}

describe(`browser: every page as every role in Chinese shows no English, raw keys or UTC times (${TEST_DIALECT})`, function () {
  this.timeout(600_000);
  let s: TestServer;
  let browser: Browser;
  const findings: Finding[] = [];
  const unvisited: string[] = [];
  /** The brands and models the suppliers registered: names as their makers write them (BYD 秦PLUS DM-i). */
  let registered: string[] = [];
  before(async () => {
    ({ s, browser } = await startServerAndBrowser({ seed: 'demo' }));
    const rows = await s.tdb.db('supplier_brands').select('brand', 'model');
    registered = [...new Set(rows.flatMap((r: { brand: string; model: string }) => `${r.brand} ${r.model}`.match(/[A-Za-z]+/g) ?? []))];
  });
  after(async () => {
    if (unvisited.length) console.log(`      pages with no link to follow: ${unvisited.join(', ')}`);
    await closeServerAndBrowser(s, browser);
  });

  async function walk(page: Page, role: string, paths: string[]): Promise<Finding[]> {
    const found = new Map<string, string[]>();
    const mine: Finding[] = [];
    for (const pattern of paths) {
      const targets = pattern.includes(':') ? found.get(pattern) ?? [] : [pattern];
      if (!targets.length) unvisited.push(`${role} ${pattern}`);
      for (const target of targets) {
        await open(page, target);
        const text = await page.locator('body').innerText();
        expect(text, `${role} ${target}`).to.not.match(/页面不存在|Page not found/);
        for (const p of findProblems(text, [...ALLOWED_LATIN, ...registered])) mine.push({ role, path: target, ...p });
        for (const p of await structureProblems(page)) mine.push({ role, path: target, ...p });
        await collectLinks(page, found);
      }
    }
    findings.push(...mine);
    return mine;
  }

  /** One line per page and word (the first place it was seen), and every finding in /tmp/zh-walk-findings.txt. */
  const report = (f: Finding[]) => {
    fs.appendFileSync('/tmp/zh-walk-findings.txt', f.map((x) => `${x.role} ${x.path} [${x.kind}] ${x.sample}\n`).join(''));
    const seen = new Set<string>();
    return f
      .filter((x) => {
        const k = `${x.path.replace(/\/\d+/g, '/:id')} ${x.kind} ${x.sample.split(' ')[0]}`;
        return !seen.has(k) && seen.add(k);
      })
      .map((x) => `${x.role} ${x.path} [${x.kind}] ${x.sample}`)
      .join('\n');
  };

  it('the public portal', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(s.url + '/portal');
    await page.getByTestId('portal-nav').waitFor();
    const paths = VIEWS_META.filter((v) => v.roles === 'public').map((v) => v.path);
    const f = await walk(page, 'public', paths);
    await ctx.close();
    expect(f.length, report(f)).to.equal(0);
  });

  for (const role of ROLES) {
    it(`${role}: every page of the role`, async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      page.setDefaultTimeout(60_000); // a loaded machine (the suite shares two cores) can be slow to answer
      await loginThroughPage(page, s.url, role);
      const paths = VIEWS_META.filter((v) => v.roles === 'all' || (Array.isArray(v.roles) && v.roles.includes(role))).map((v) => v.path);
      const f = await walk(page, role, paths);
      await ctx.close();
      expect(f.length, report(f)).to.equal(0);
    });
  }

  // The tendering screens each role works on, which the link walk may not reach (it follows the
  // first links of a list): the purchaser's award page with its confirmation open, the expert's
  // evaluation with the abnormally-low question and the report, the bidder's opening record and
  // results, and the public's award and opening-record notices.
  it('tendering screens of every role: award page and its confirmation, evaluation, report, opening record, notices', async () => {
    const db = s.tdb.db;
    const tender = async (status: string) => Number((await db('tenders').where({ status }).orderBy('id').first('id')).id);
    // The first tender of that status with such a notice (an invitational tender has no public tender notice).
    const notice = async (kind: string, sourceType: string, status: string) => Number((await db('notices').where({ kind, source_type: sourceType }).whereIn('source_id', (await db('tenders').where({ status }).orderBy('id').pluck('id')).map(String)).orderBy('id').first('id')).id);
    const visits: Array<[string | null, string, string | null]> = [
      ['purchaser', `/tenders/${await tender('evaluated')}`, 'tender-award'],
      ['operator', `/tenders/${await tender('evaluated')}`, null],
      ['expert', `/tenders/${await tender('evaluation')}`, null],
      ['expert', `/tenders/${await tender('report_confirmation')}`, null],
      ['supplier', `/tenders/${await tender('awarded')}`, null],
      ['supplier', `/tenders/${await tender('opening')}`, null],
      [null, `/portal/notices/${await notice('award', 'tender', 'awarded')}`, null],
      [null, `/portal/notices/${await notice('other', 'tender_opening', 'awarded')}`, null],
      [null, `/portal/notices/${await notice('tender', 'tender', 'published')}`, null],
    ];
    const f: Finding[] = [];
    for (const [role, path, click] of visits) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      page.setDefaultTimeout(60_000);
      if (role) await loginThroughPage(page, s.url, role);
      else await page.goto(s.url + '/portal');
      await open(page, path);
      if (click) {
        await page.getByTestId(click).click();
        await page.getByTestId('tender-award-confirm').waitFor();
      }
      const text = await page.locator('body').innerText();
      for (const p of findProblems(text, [...ALLOWED_LATIN, ...registered])) f.push({ role: role ?? 'public', path, ...p });
      for (const p of await structureProblems(page)) f.push({ role: role ?? 'public', path, ...p });
      await ctx.close();
    }
    findings.push(...f);
    expect(f.length, report(f)).to.equal(0);
  });

  it('supervisor: the trace of every demo tender and of a project, requisition, competition and contract, found by its number', async () => {
    const db = s.tdb.db;
    const refs = [
      ...(await db('tenders').pluck('reference')),
      (await db('procurement_projects').first('ref')).ref,
      (await db('requisitions').whereNot('ref', 'like', 'TMP-%').first('ref')).ref,
      (await db('auctions').first('code')).code,
      (await db('contracts').first('ref')).ref,
    ];
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(60_000);
    await loginThroughPage(page, s.url, 'supervisor');
    const mine: Finding[] = [];
    for (const ref of refs) {
      const target = `/supervision/trace?subjectId=${encodeURIComponent(ref)}`;
      await open(page, target);
      await page.locator('[data-testid=trace-badge], [data-testid=trace-not-found]').first().waitFor();
      expect(await page.getByTestId('trace-not-found').count(), ref).to.equal(0);
      for (const p of findProblems(await page.locator('body').innerText(), [...ALLOWED_LATIN, ...registered])) mine.push({ role: 'supervisor', path: target, ...p });
    }
    findings.push(...mine);
    await ctx.close();
    expect(mine.length, report(mine)).to.equal(0);
  });

  it('errors read in Chinese: a failed login names the reason, not the server text or its code', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(s.url + '/');
    await page.getByTestId('login-username').fill('supplier');
    await page.getByTestId('login-password').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').filter({ hasText: '登录失败' }).waitFor();
    expect(await page.getByTestId('login-error').textContent()).to.equal('登录失败：用户名或密码错误');
    await ctx.close();
  });

  it('actions answer: the expert accepts an invitation and reads a confirmation and the new state', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.setDefaultTimeout(60_000);
    await loginThroughPage(page, s.url, 'expert');
    await open(page, '/my-invitations');
    const row = page.locator('tr[data-status=pending]').first();
    const project = (await row.locator('td').first().textContent())!;
    // The specialty is shown by its catalogue name, not its code.
    expect(await row.locator('td').nth(1).textContent()).to.match(/[\u4e00-\u9fff]/);
    await row.getByTestId('accept').click();
    await page.getByTestId('invitation-message').waitFor();
    expect(await page.getByTestId('invitation-message').textContent()).to.equal(`已确认参加项目 ${project} 的评审，状态已更新为“已确认”。`);
    expect(await page.locator('tr[data-status=accepted] [data-testid=invitation-status]').first().textContent()).to.equal('已确认');
    await ctx.close();
  });

  it('the checker itself: finds English, keys and UTC text, allows references and brands', () => {
    expect(findProblems('项目 ZB2026-00006 · 联想 Lenovo ThinkPad E14 · PU01 · SV10 · 清单.txt 2 KB · li@experts.example.cn · #1120 2824490417ab…').map((p) => p.kind)).to.deep.equal([]);
    expect(findProblems('出错了：Wrong username or password').map((p) => p.kind)).to.deep.equal(['Latin', 'Latin', 'Latin', 'Latin']);
    expect(findProblems('阶段：online_price_competition').map((p) => p.kind)).to.deep.equal(['raw key']);
    expect(findProblems('开始时间（UTC）：2026-12-05T16:58:30.319Z').map((p) => p.kind)).to.deep.equal(['UTC time', 'UTC time']);
  });
});
