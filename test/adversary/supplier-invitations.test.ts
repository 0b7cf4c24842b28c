// The invited list of an invitational tender is sealed until the bids close. Played against it:
// the public, every role through the API (operator, supervisor, admin, purchaser, finance, an
// uninvited supplier, an invited one), a database reader (every table, audit payloads and job
// payloads included) who knows how tags are built but not the seal key. After the reveal the
// public record recomputes to exactly the suppliers who found an invitation.
import { expect } from 'chai';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { listTables } from '../../server/db/reset';
import { ensureSupplierUsers } from '../../server/execution/tendering/demo-users';
import { invitationServiceFor } from '../../server/execution/invitations/module';
import { verifyPublicDraw } from '../../server/execution/draws/selection';
import { nodeHashes } from '../../server/execution/draws/seal';
import { cast, raise, approveAll, item, ok, relogin } from '../integration/workflow-helpers';

const DAY = 86_400_000;

describe(`adversaries against the sealed supplier invitation list (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0));
  let s: TestServer;
  let suppliers: Array<{ userId: number; supplierId: number; username: string }>;

  before(async () => {
    s = await startTestServer({ clock });
    suppliers = await withTx(s.tdb.db, (tx) => ensureSupplierUsers(tx, clock, 8));
  });
  after(() => s?.stop());

  it('nobody learns who is invited before the bids close; afterwards everyone can check the draw', async () => {
    const db = s.tdb.db;
    const c = await cast(s);
    const category = (await db('catalogue_categories').where({ kind: 'goods', framework_agreement: false }).orderByRaw('length(code) desc').orderBy('code').first('code')).code;
    await db('supplier_categories').where({ category_code: category }).delete();
    await db('supplier_categories').insert(suppliers.map((x) => ({ supplier_id: x.supplierId, category_code: category })));
    const req = await raise(c, [item(category, 1, 600_000)], { requestedMethod: 'invitational_tender', methodRequestReason: '仅少数供应商可提供' });
    const projectId = await approveAll(c, req.id);
    // What the database holds before the draw (the library names suppliers; that is public).
    const rowsOf = async () => {
      const out: Array<{ table: string; text: string }> = [];
      for (const t of await listTables(db)) for (const row of await db(t).select('*')) out.push({ table: t, text: JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) });
      return out;
    };
    const before = new Set((await rowsOf()).map((r) => `${r.table}|${r.text}`));
    const draw = await ok(c.operator.post(`/api/projects/${projectId}/invitations/draw`, { count: 3, revealAt: new Date(clock.now().getTime() + 20 * DAY).toISOString() }), 201);

    // The truth, known to this test only through the platform's key (as a supplier learns its own).
    const inv = invitationServiceFor({ config: s.config, scheduler: s.platform.scheduler, realtime: s.platform.realtime, clock });
    const invited: number[] = [];
    for (const x of suppliers) if (await inv.isInvited(db, { type: 'project', id: projectId }, x.supplierId)) invited.push(x.supplierId);
    expect(invited).to.have.length(3);
    const outsider = suppliers.find((x) => !invited.includes(x.supplierId))!;
    const insider = suppliers.find((x) => x.supplierId === invited[0])!;
    // What would give the list away: an invited id as a supplier field, or the drawn ids together in a list.
    const giveaways = (text: string) => {
      const found: string[] = [];
      for (const id of invited) if (new RegExp(`"(supplierId|supplier_id|supplierIds|ids|invited|result)"\\s*:\\s*\\[?[^\\]]*\\b${id}\\b`).test(text)) found.push(`id ${id}`);
      const sorted = [...invited].sort((a, b) => a - b);
      if (new RegExp(`\\[\\s*${sorted.join('\\s*,\\s*')}\\s*\\]`).test(text.replace(/\s/g, ''))) found.push('the sorted list');
      return found;
    };

    // Every role through the API: the list is refused, summaries carry counts and the commitment.
    for (const who of ['operator', 'supervisor', 'admin', 'purchaser', 'finance', outsider.username, insider.username]) {
      const cl = await s.as(who);
      const list = await cl.get(`/api/projects/${projectId}/invitations/list`);
      expect(list.status, who).to.equal(403);
      for (const path of [`/api/projects/${projectId}/invitations`, `/api/public/supplier-draws/${draw.id}`, `/api/projects/${projectId}`, '/api/tenders?pageSize=100']) {
        const r = await cl.get(path);
        const text = JSON.stringify(r.body);
        expect(giveaways(text).filter((g) => !(who === insider.username && g === `id ${insider.supplierId}`)), `${who} GET ${path}`).to.deep.equal([]);
      }
    }
    expect(await db('audit_events').where({ action: 'sealed.read_attempt', entity_type: 'project', entity_id: String(projectId) }).count({ n: '*' }).first().then((r: any) => Number(r.n))).to.equal(7);
    // The public record before the reveal: commitment and keyed pool hash, no secret, no rounds.
    const pub = await ok(s.client().get(`/api/public/supplier-draws/${draw.id}`));
    expect(pub).to.include({ secret: null, rounds: null });
    // A supplier sees its own invitation and no other.
    const own = await ok((await s.as(insider.username)).get('/api/my/supplier-invitations'));
    expect(own.items.map((x: any) => x.subjectId)).to.deep.equal([projectId]);
    expect(giveaways(JSON.stringify(own)).filter((g) => g !== `id ${insider.supplierId}`)).to.deep.equal([]);
    expect((await ok((await s.as(outsider.username)).get('/api/my/supplier-invitations'))).items).to.deep.equal([]);

    // A database reader: every row the draw (and the reads since) wrote or changed, audit and job
    // payloads included, holds no invited id as a field nor the list.
    const findings: string[] = [];
    // (A sign-in touches its own account row, which names its supplier as the library does: not the draw's doing.)
    const written = (await rowsOf()).filter((r) => !before.has(`${r.table}|${r.text}`) && !['users', 'sessions'].includes(r.table));
    expect(written.map((r) => r.table)).to.include.members(['supplier_draws', 'supplier_invitations', 'audit_events']);
    for (const r of written) for (const g of giveaways(r.text)) findings.push(`${r.table}: ${g}`);
    expect(findings).to.deep.equal([]);
    // The invitation rows name nobody: no supplier column, a sealed payload and a keyed tag.
    const rows = await db('supplier_invitations').where({ subject_type: 'project', subject_id: projectId });
    expect(rows).to.have.length(3);
    expect(Object.keys(rows[0]).sort()).to.deep.equal(['created_at', 'draw_id', 'id', 'payload_sealed', 'reveal_at', 'source', 'subject_id', 'subject_type', 'tag']);
    // Knowing how a tag is built is not enough without the key: unkeyed or wrongly keyed guesses over every supplier match no row.
    const tags = new Set(rows.map((r: any) => r.tag));
    const allIds = (await db('suppliers').pluck('id')).map(Number);
    for (const id of allIds) {
      const msg = `project:${projectId}:${id}`;
      for (const guess of [crypto.createHash('sha256').update(msg).digest('hex'), crypto.createHmac('sha256', '').update(msg).digest('hex'), crypto.createHmac('sha256', Buffer.from(s.config.secrets.sealKey, 'hex')).update(msg).digest('hex')]) expect(tags.has(guess)).to.equal(false);
    }
    // With any other key (a shell without SEAL_KEY guessing one) no tag matches.
    const other = invitationServiceFor({ config: { ...s.config, secrets: { ...s.config.secrets, sealKey: crypto.randomBytes(32).toString('hex') } }, scheduler: s.platform.scheduler, realtime: s.platform.realtime, clock });
    for (const x of suppliers) expect(await other.isInvited(db, { type: 'project', id: projectId }, x.supplierId)).to.equal(false);

    // A shell without the seal key runs the verifier: still sealed, exit 2.
    const verifier = () => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/draw-verify.ts', '--suppliers', String(draw.id)], { cwd: process.cwd(), env: { ...process.env, NODE_ENV: 'test', DATA_DIR: s.tdb.dataDir, ...(s.tdb.databaseUrl ? { DB_CLIENT: 'mysql', DATABASE_URL: s.tdb.databaseUrl } : { DB_CLIENT: 'sqlite' }), SEAL_KEY: '' }, encoding: 'utf8' });
    const sealedRun = verifier();
    expect(sealedRun.status, sealedRun.stderr).to.equal(2);
    expect(sealedRun.stderr).to.include('still sealed');
    // At the reveal time the draw opens: the record recomputes to exactly the suppliers who held an invitation.
    clock.advance(20 * DAY);
    while ((await s.platform.scheduler.runDue()) > 0);
    await relogin(c);
    const after = await ok(s.client().get(`/api/public/supplier-draws/${draw.id}`));
    expect(after.status).to.equal('revealed');
    expect(verifyPublicDraw(after, nodeHashes).ok).to.equal(true);
    expect([...after.rounds[0].result[0]].sort((a: number, b: number) => a - b)).to.deep.equal([...invited].sort((a, b) => a - b));
    // A forged result (one supplier swapped) fails verification.
    const forged = JSON.parse(JSON.stringify(after));
    forged.rounds[0].result[0][0] = outsider.supplierId;
    expect(verifyPublicDraw(forged, nodeHashes).ok).to.equal(false);
    const named = await ok(c.operator.get(`/api/projects/${projectId}/invitations/list`));
    expect(named.items.map((x: any) => x.supplierId)).to.deep.equal([...invited].sort((a, b) => a - b));
    const run = verifier();
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.include(`supplier draw ${draw.id}`).and.include('verified');
  });
});
