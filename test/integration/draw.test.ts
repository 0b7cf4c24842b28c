import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { TestClient } from '../helpers/http';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { createPlatform, type Platform } from '../../server/platform';
import { createLogger } from '../../server/http/log';
import { systemActor, type Actor } from '../../server/http/actor';
import { enrol } from '../../server/execution/experts/service';
import { createSealer } from '../../server/execution/draws/seal';
import { nodeHashes } from '../../server/execution/draws/seal';
import { invitationContext } from '../../server/execution/draws/pool';
import { registerOutboxTransport, type OutboxMessage } from '../../server/execution/draws/outbox';
import { verifyChain } from '../../server/supervision/audit/audit';
import { verifyPublicDraw } from '../../server/execution/draws/selection';
import { DEMO_ACCOUNTS } from '../../db/seeds/demo-accounts';
import type { Db } from '../../server/db/knex';
import { listTables } from '../../server/db/reset';

const HOUR = 3_600_000;
const SPEC = 'B'; // a specialty no seeded expert has, so the pool is exactly the experts made here

/** Every row of every table, as JSON text per table. */
async function dumpAll(db: Db): Promise<Map<string, string[]>> {
  const names = await listTables(db);
  const out = new Map<string, string[]>();
  for (const n of names) out.set(n, (await db(n).select('*')).map((r: unknown) => JSON.stringify(r)));
  return out;
}

interface Drawn {
  expertId: number;
  userId: number;
  name: string;
  phone: string;
  email: string;
  username: string;
}

/** Finds a drawn expert in a row: by name, phone, e-mail, username, or by id under any expert/user key. */
function leaksIn(text: string, e: Drawn, checkUserId: boolean): string | null {
  for (const needle of [e.name, e.phone, e.email, e.username]) if (text.includes(needle)) return needle;
  const walk = (v: unknown, key: string): string | null => {
    if (typeof v === 'string' && /^[[{]/.test(v)) {
      try {
        return walk(JSON.parse(v), key);
      } catch {
        return null;
      }
    }
    if (Array.isArray(v)) {
      for (const x of v) {
        const hit = walk(x, key);
        if (hit) return hit;
      }
      return null;
    }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const hit = walk(x, k);
        if (hit) return hit;
      }
      return null;
    }
    if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) {
      const n = Number(v);
      if (/expert/i.test(key) && n === e.expertId) return `${key}=${n}`;
      if (checkUserId && /(user|actor)/i.test(key) && n === e.userId) return `${key}=${n}`;
    }
    return null;
  };
  return walk(JSON.parse(text), '');
}

describe(`sealed expert draw (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 1, 0, 0));
  let s: TestServer;
  let platform2: Platform | null = null;
  let op: TestClient;
  let operator: Actor;
  const experts: Array<Drawn & { client?: TestClient }> = [];
  const excluded: Record<string, number> = {};
  let orgId: number;
  let supplierIds: number[];
  let drawId: number;
  let baseline: Map<string, string[]>;
  const sealer = createSealer('ab'.repeat(32));
  const evaluationAt = new Date(Date.UTC(2026, 10, 4, 2, 0, 0));
  const revealAt = new Date(Date.UTC(2026, 10, 4, 1, 0, 0));

  before(async () => {
    s = await startTestServer({ clock });
    const db = s.tdb.db;
    op = await s.as('operator');
    const opUser = await db('users').where({ username: 'operator' }).first('id');
    operator = { ...systemActor('test', clock), userId: opUser.id, role: 'operator' };
    orgId = (await db('organisations').where({ code: 'PU05' }).first('id')).id;
    const sups = await db('suppliers').where({ status: 'approved' }).orderBy('id').limit(4).select('id');
    supplierIds = sups.slice(0, 3).map((r: { id: number }) => r.id);
    const outsider = sups[3].id;
    // 13 experts with the specialty; 6 of them must never be drawn for this project.
    for (let i = 1; i <= 13; i++) {
      const name = `测试专家${String(i).padStart(2, '0')}`;
      const username = `drawx${i}`;
      const employer = i === 3 ? { employerOrgId: orgId } : i === 4 ? { employerSupplierId: supplierIds[1] } : {};
      const r = await withTx(db, (tx) =>
        enrol(tx, operator, { name, employerName: '阳光大学', region: '330100', title: '高级工程师', phone: `1390000${String(1000 + i)}`, email: `drawx${i}@t.example.cn`, specialties: [SPEC], maxEvaluationsPerQuarter: i === 6 ? 0 : 12, account: { username, password: `Expert${i}pass2026` }, ...employer }),
      );
      experts.push({ expertId: r.id, userId: r.userId!, name, phone: `1390000${String(1000 + i)}`, email: `drawx${i}@t.example.cn`, username });
    }
    const e = (i: number) => experts[i - 1].expertId;
    Object.assign(excluded, { leave: e(1), conflict: e(2), employedByUnit: e(3), employedBySupplier: e(4), disqualified: e(5), overCap: e(6) });
    const expert = async (i: number, method: string, path: string, body: unknown) => {
      const r = await op.request(method, path.replace(':id', String(e(i))), body);
      expect(r.status, `${path} ${JSON.stringify(r.body)}`).to.be.oneOf([200, 201, 204]);
    };
    await expert(1, 'POST', '/api/experts/:id/leaves', { startsAt: new Date(evaluationAt.getTime() - 24 * HOUR).toISOString(), endsAt: new Date(evaluationAt.getTime() + 24 * HOUR).toISOString(), reason: '出差' });
    await expert(2, 'POST', '/api/experts/:id/conflicts', { supplierId: supplierIds[0], relation: 'relative', note: '配偶为法定代表人' });
    await expert(5, 'POST', '/api/experts/:id/status', { status: 'disqualified', reason: '违规' });
    // Still eligible: a conflict with a supplier not taking part, a leave outside the evaluation.
    await expert(7, 'POST', '/api/experts/:id/conflicts', { supplierId: outsider, relation: 'former_employer', note: '曾任职' });
    await expert(8, 'POST', '/api/experts/:id/leaves', { startsAt: new Date(evaluationAt.getTime() + 48 * HOUR).toISOString(), endsAt: new Date(evaluationAt.getTime() + 96 * HOUR).toISOString(), reason: '休假' });
    for (const x of experts) {
      x.client = new TestClient(s.url);
      const r = await x.client.login(x.username, `Expert${experts.indexOf(x) + 1}pass2026`);
      expect(r.status).to.equal(200);
    }
  });
  after(async () => {
    if (platform2) {
      await platform2.close();
      await s.tdb.destroy();
    } else await s?.stop();
  });

  const request = (over: Record<string, unknown> = {}) => ({
    projectRef: 'YGCG-TEST-001',
    purchasingOrgId: orgId,
    supplierIds,
    groups: [{ specialty: SPEC, count: 5 }],
    evaluationAt: evaluationAt.toISOString(),
    evaluationPlace: '采购中心第1评标室',
    revealAt: revealAt.toISOString(),
    responseMinutes: 60,
    ...over,
  });

  const drawnNow = async () => {
    const rows = await s.tdb.db('draw_invitations').where({ draw_id: drawId }).orderBy('id');
    return rows.map((r: any) => ({ id: r.id, status: r.status, expert: experts.find((x) => x.expertId === sealer.open<{ expertId: number }>(r.payload_sealed, invitationContext(drawId)).expertId)! }));
  };

  async function assertNothingNamesTheDrawn() {
    const drawn = (await drawnNow()).map((d) => d.expert);
    expect(drawn.length).to.be.greaterThan(0);
    const now = await dumpAll(s.tdb.db);
    let rowsChecked = 0;
    for (const [table, rows] of now) {
      const before = new Set(baseline.get(table) ?? []);
      for (const row of rows) {
        if (before.has(row)) continue; // unchanged since before the draw
        rowsChecked++;
        // A session row naturally carries its user's id; it says nothing about a draw.
        for (const e of drawn) expect(leaksIn(row, e, table !== 'sessions'), `${table}: ${row.slice(0, 300)}`).to.equal(null);
      }
    }
    expect(rowsChecked).to.be.greaterThan(5);
    for (const line of s.logs) for (const e of drawn) expect(leaksIn(line, e, true), line).to.equal(null);
  }

  it('refuses an unlawful committee or a pool too small, writing nothing', async () => {
    const even = await op.post('/api/draws', request({ groups: [{ specialty: SPEC, count: 6 }] }));
    expect(even.status).to.equal(422);
    expect(even.body.error.code).to.equal('COMMITTEE_NOT_ODD');
    const small = await op.post('/api/draws', request({ groups: [{ specialty: SPEC, count: 3 }] }));
    expect(small.body.error.code).to.equal('COMMITTEE_TOO_SMALL');
    const pool = await op.post('/api/draws', request({ groups: [{ specialty: SPEC, count: 9 }] }));
    expect(pool.status).to.equal(422);
    // How many are eligible is not said (it moves with other sealed draws' invitations); the
    // refusal is audited for supervision.
    expect(pool.body.error).to.deep.include({ code: 'POOL_TOO_SMALL', details: { specialty: SPEC, needed: 9 } });
    expect(await s.tdb.db('audit_events').where({ action: 'draw.request_refused' }).count({ n: '*' }).first().then((r: any) => Number(r.n))).to.equal(1);
    // The committee rules are the city's to set, in the rule book: a minimum of 7 refuses 5.
    const admin = await s.as('admin');
    expect((await admin.request('PUT', '/api/rules/drawMinimumCommittee', { value: 7, source: 'Province X evaluation rules 2026 No. 3' })).status).to.equal(200);
    expect((await admin.request('PUT', '/api/rules/drawOddCommittee', { value: 2, source: 'typo' })).body.error.code).to.equal('RULE_FLAG_VALUE');
    const five = await op.post('/api/draws', request({ groups: [{ specialty: SPEC, count: 5 }] }));
    expect(five.body.error.code).to.equal('COMMITTEE_TOO_SMALL');
    expect(five.body.error.message).to.contain('at least 7');
    expect((await admin.request('PUT', '/api/rules/drawMinimumCommittee', { value: 5, source: 'MOF Order No. 87 (2017) art. 47' })).status).to.equal(200);
    expect(Number((await s.tdb.db('draws').count({ n: '*' }).first())!.n)).to.equal(0);
    expect(Number((await s.tdb.db('scheduled_jobs').where('kind', 'like', 'draw.%').count({ n: '*' }).first())!.n)).to.equal(0);
  });

  it('draws at once from the eligible pool and publishes the commitment (nothing per round, no pool size)', async () => {
    baseline = await dumpAll(s.tdb.db);
    const r = await op.post('/api/draws', request());
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    drawId = r.body.id;
    expect(r.body.status).to.equal('sealed');
    expect(r.body.rounds).to.have.length(1);
    expect(r.body.rounds[0]).to.include({ roundNo: 1, kind: 'initial' });
    expect(r.body.rounds[0]).to.not.have.any.keys('poolSize', 'selectedCount', 'seed', 'pool', 'result');
    expect(r.body.seal).to.include({ scheme: 2, secret: null });
    expect(r.body.seal.commitment).to.match(/^[0-9a-f]{64}$/);
    expect(r.body.seal.poolHash).to.match(/^[0-9a-f]{64}$/);
    expect(r.body.invitations).to.include({ invited: 5, pending: 5, accepted: 0 });
    const pub = await s.client().get(`/api/public/draws/${drawId}`);
    expect(pub.status).to.equal(200);
    expect(pub.body).to.include({ scheme: 2, commitment: r.body.seal.commitment, poolHash: r.body.seal.poolHash, secret: null, rounds: null, panel: null });
    expect(pub.body).to.not.have.property('confirmedCount');
    // Pool sizes are not kept in clear while sealed.
    expect((await s.tdb.db('draw_rounds').where({ draw_id: drawId }).first()).pool_size).to.equal(null);
    const drawn = (await drawnNow()).map((d) => d.expert.expertId);
    for (const id of Object.values(excluded)) expect(drawn).to.not.include(id);
  });

  it('refuses the result to every role before reveal, auditing each attempt on its own', async () => {
    const db = s.tdb.db;
    const clients = [];
    for (const a of DEMO_ACCOUNTS) clients.push({ a, c: await s.as(a.username) });
    const before = await dumpAll(db);
    const auditBefore = Number((await db('audit_events').max({ n: 'seq' }).first())!.n);
    for (const { a, c } of clients) {
      const r = await c.get(`/api/draws/${drawId}/result`);
      expect(r.status, a.role).to.equal(403);
      expect(r.body.error.code).to.equal('DRAW_SEALED');
    }
    for (const x of experts.slice(0, 2)) expect((await x.client!.get(`/api/draws/${drawId}/result`)).status).to.equal(403);
    const attempts = await db('audit_events').where({ action: 'sealed.read_attempt' }).orderBy('seq');
    expect(attempts).to.have.length(DEMO_ACCOUNTS.length + 2);
    expect(attempts.map((e: any) => e.actor_role)).to.include.members(['operator', 'admin', 'supervisor', 'expert', 'supplier']);
    expect(attempts.every((e: any) => e.entity_type === 'draw' && e.entity_id === String(drawId))).to.equal(true);
    // The refused requests wrote only their attempt events (supervision may raise alerts from them).
    const newEvents = await db('audit_events').where('seq', '>', auditBefore).whereNot('action', 'sealed.read_attempt').select('action', 'entity_type');
    expect(newEvents.filter((e: any) => e.entity_type === 'draw' || /^draw\./.test(e.action)), JSON.stringify(newEvents)).to.deep.equal([]);
    // Nothing else changed (logins aside): no draw, round or invitation row moved.
    const after = await dumpAll(db);
    for (const t of ['draws', 'draw_rounds', 'draw_invitations', 'draw_notification_outbox', 'scheduled_jobs']) expect(after.get(t), t).to.deep.equal(before.get(t));
    // The operator's own view has counts, not people.
    const view = await op.get(`/api/draws/${drawId}`);
    expect(view.status).to.equal(200);
    for (const e of experts) expect(JSON.stringify(view.body)).to.not.include(e.name);
  });

  it('shows each expert only their own invitation, and counts confirmations (not who)', async () => {
    const invs = await drawnNow();
    const drawnIds = new Set(invs.map((i) => i.expert.expertId));
    for (const x of experts) {
      const r = await x.client!.get('/api/my/invitations');
      expect(r.status).to.equal(200);
      expect(r.body.items.length, x.username).to.equal(drawnIds.has(x.expertId) ? 1 : 0);
    }
    const outsider = experts.find((x) => !drawnIds.has(x.expertId))!;
    const stolen = await outsider.client!.post(`/api/my/invitations/${invs[0].id}/accept`);
    expect(stolen.status).to.equal(404);
    const ok = await invs[0].expert.client!.post(`/api/my/invitations/${invs[0].id}/accept`);
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    const again = await invs[0].expert.client!.post(`/api/my/invitations/${invs[0].id}/decline`);
    expect(again.status).to.equal(409);
    const view = await op.get(`/api/draws/${drawId}`);
    expect(view.body.confirmedCount).to.equal(1);
    expect(view.body.invitations).to.include({ accepted: 1, pending: 4 });
    await assertNothingNamesTheDrawn();
  });

  it('replaces a decline at once from the remaining pool, in a round with its own commitment', async () => {
    const invs = await drawnNow();
    const r = await invs[1].expert.client!.post(`/api/my/invitations/${invs[1].id}/decline`);
    expect(r.status).to.equal(200);
    const view = await op.get(`/api/draws/${drawId}`);
    expect(view.body.rounds).to.have.length(2);
    expect(view.body.rounds[1]).to.include({ roundNo: 2, kind: 'replacement' });
    expect(view.body.rounds[1]).to.not.have.property('poolSize');
    expect(view.body.rounds[1].poolHash).to.not.equal(view.body.rounds[0].poolHash);
    // The public record does not move: no replacement round, no count.
    const pub = await s.client().get(`/api/public/draws/${drawId}`);
    expect(pub.body.rounds).to.equal(null);
    expect(view.body.invitations).to.include({ invited: 6, declined: 1, replaced: 1, pending: 4 });
    const newcomer = (await drawnNow())[5].expert;
    expect(invs.map((i) => i.expert.expertId)).to.not.include(newcomer.expertId);
    expect((await newcomer.client!.get('/api/my/invitations')).body.items).to.have.length(1);
    await assertNothingNamesTheDrawn();
  });

  it('replaces a no-answer at the deadline, and records a shortfall when the pool runs dry', async () => {
    clock.advance(61 * 60_000);
    const ran = await s.platform.scheduler.runDue();
    expect(ran).to.be.greaterThan(0);
    const view = await op.get(`/api/draws/${drawId}`);
    // 4 no-answers: one replacement from the last eligible expert, then nobody is left.
    expect(view.body.invitations).to.include({ noAnswer: 4, accepted: 1, declined: 1, pending: 1, invited: 7 });
    expect(view.body.shortfall).to.equal(3);
    expect(view.body.rounds).to.have.length(3);
    await assertNothingNamesTheDrawn();
    // A late answer to an invitation already given up on is refused.
    const late = (await drawnNow()).find((i) => i.status === 'no_answer')!;
    const refused = await late.expert.client!.post(`/api/my/invitations/${late.id}/accept`);
    expect(refused.status).to.equal(409);
    expect(refused.body.error.code).to.equal('INVITATION_ANSWERED');
    const last = (await drawnNow()).find((i) => i.status === 'pending')!;
    expect((await last.expert.client!.post(`/api/my/invitations/${last.id}/accept`)).status).to.equal(200);
    await assertNothingNamesTheDrawn();
  });

  it('reveals after a restart, publishes seed, pool and result, and anyone can recompute them', async () => {
    const db = s.tdb.db;
    const expected = (await drawnNow()).map((d) => ({ id: d.expert.expertId, status: d.status }));
    // Before the reveal the verifier has nothing to recompute (exit 2), and needs no seal key.
    const env = { ...process.env, DATA_DIR: s.tdb.dataDir, ...(s.tdb.databaseUrl ? { DB_CLIENT: 'mysql', DATABASE_URL: s.tdb.databaseUrl } : { DB_CLIENT: 'sqlite' }), SEAL_KEY: 'cd'.repeat(32), LOG_LEVEL: 'silent' };
    const early = await promisify(execFile)('npx', ['tsx', 'scripts/draw-verify.ts', String(drawId)], { env }).then(() => 0, (e: { code: number; stderr: string }) => (expect(e.stderr).to.include('still sealed'), e.code));
    expect(early).to.equal(2);
    await s.platform.close();
    clock.set(revealAt.getTime() + 5 * 60_000); // the server was down at the reveal time
    platform2 = createPlatform({ config: s.config, db, clock, log: createLogger('info', (l) => s.logs.push(l)), autoStartScheduler: false });
    const url = await platform2.listen(0, '127.0.0.1');
    await platform2.scheduler.runDue();
    const rec = await new TestClient(url).get(`/api/public/draws/${drawId}`);
    expect(rec.status).to.equal(200);
    expect(rec.body.status).to.equal('revealed');
    const rounds: Array<{ pool: Array<{ ids: number[] }>; result: number[][]; poolSize: number }> = rec.body.rounds;
    expect(rounds).to.have.length(3);
    expect(rec.body.secret).to.match(/^[0-9a-f]{64}$/);
    expect(verifyPublicDraw(rec.body, nodeHashes).ok).to.equal(true);
    expect(rounds.map((r) => r.poolSize)).to.deep.equal([7, 2, 1]);
    // The first pool is exactly the eligible experts; nobody excluded appears anywhere.
    const eligible = experts.map((e) => e.expertId).filter((id) => !Object.values(excluded).includes(id)).sort((a, b) => a - b);
    expect(rounds[0].pool[0].ids).to.deep.equal(eligible);
    for (const id of Object.values(excluded)) expect(rounds.flatMap((r) => r.pool.flatMap((g) => g.ids))).to.not.include(id);
    // Any change to the published record fails verification.
    const tampered = structuredClone(rec.body);
    tampered.rounds[0].result[0][0] = eligible.find((id) => !rounds[0].result[0].includes(id))!;
    expect(verifyPublicDraw(tampered, nodeHashes).ok).to.equal(false);
    const otherSecret = structuredClone(rec.body);
    otherSecret.secret = 'ab'.repeat(32);
    expect(verifyPublicDraw(otherSecret, nodeHashes).ok).to.equal(false);
    expect(rec.body.panel.map((p: any) => p.expertId).sort()).to.deep.equal(expected.map((e) => e.id).sort());
    const sat = await db('expert_evaluations').where({ draw_id: drawId }).select('expert_id');
    expect(sat.map((r: any) => r.expert_id).sort()).to.deep.equal(expected.filter((e) => e.status === 'accepted').map((e) => e.id).sort());
    const opClient = new TestClient(url);
    await opClient.login('operator');
    const result = await opClient.get(`/api/draws/${drawId}/result`);
    expect(result.status).to.equal(200);
    expect(result.body.panel.filter((p: any) => p.answer === 'accepted')).to.have.length(2);
    const out = await promisify(execFile)('npx', ['tsx', 'scripts/draw-verify.ts', String(drawId)], { env });
    expect(out.stdout).to.include(`draw ${drawId} (YGCG-TEST-001) verified: 3 round(s) recomputed`);
  });

  it('delivers the sealed SMS/e-mail outbox through the registered transport, retrying failures', async () => {
    const db = s.tdb.db;
    const sent: OutboxMessage[] = [];
    let fail = true;
    registerOutboxTransport({
      async send(m: OutboxMessage) {
        if (m.channel === 'email' && fail) throw new Error('smtp 451 try later');
        sent.push(m);
      },
    });
    try {
      const total = Number((await db('draw_notification_outbox').count({ n: '*' }).first())!.n);
      expect(total).to.equal(14); // 7 invitations, an SMS and an e-mail each
      // Written while no gateway was configured: sent once one is, at start-up.
      await platform2!.modules.find((m) => m.name === 'draws')!.start!();
      await platform2!.scheduler.runDue();
      expect(sent.filter((m) => m.channel === 'sms')).to.have.length(7);
      expect(await db('draw_notification_outbox').where({ status: 'pending' }).count({ n: '*' }).first().then((r: any) => Number(r.n))).to.equal(7);
      fail = false;
      clock.advance(61_000);
      await platform2!.scheduler.runDue();
      expect(await db('draw_notification_outbox').where({ status: 'sent' }).count({ n: '*' }).first().then((r: any) => Number(r.n))).to.equal(14);
      const invited = (await drawnNow()).map((d) => d.expert);
      expect(sent.filter((m) => m.channel === 'sms').map((m) => m.to).sort()).to.deep.equal(invited.map((e) => e.phone).sort());
      expect(sent.find((m) => m.channel === 'email')!.body).to.include('YGCG-TEST-001');
      // Only the transport's error text is kept, never the message.
      for (const line of s.logs) expect(line).to.not.include('YGCG-TEST-001');
      // Every delivery outcome is audited, with the row and attempt count only (no draw, no expert).
      const count = async (action: string) => Number((await db('audit_events').where({ action }).count({ n: '*' }).first())!.n);
      expect(await count('draw.notification_sent')).to.equal(14);
      expect(await count('draw.notification_retry')).to.equal(7);
      for (const e of await db('audit_events').where('action', 'like', 'draw.notification_%')) {
        expect(Object.keys(JSON.parse(e.after_json)).sort()).to.deep.equal(['attempts', 'channel']);
        expect(e.after_json).to.not.include('smtp');
      }
      expect((await verifyChain(db)).intact).to.equal(true);
    } finally {
      registerOutboxTransport(null);
    }
  });
});
