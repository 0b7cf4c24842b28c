// Demo draws, made through the draw service: one revealed and public (accepted, declined and
// replaced, no answer), one sealed and live in which the demo `expert` account has an invitation
// waiting (with others accepted, declined and replaced, pending), and one just requested.
import type { Knex } from 'knex';
import type { ModuleContext } from '../../platform';
import { withTx } from '../../db/tx';
import { systemActor, type Actor } from '../../http/actor';
import type { Clock } from '../../db/time';
import { createDrawService, type DrawService } from './service';
import { invitationContext } from './pool';
import { rateEvaluation } from '../experts/service';

const DAY = 86_400_000;
const HOUR = 3_600_000;

async function drawnExperts(db: Knex, draws: DrawService, drawId: number) {
  const rows = await db('draw_invitations').where({ draw_id: drawId }).orderBy('id');
  return rows.map((r: any) => ({ id: Number(r.id), status: r.status as string, expertId: draws.sealer.open<{ expertId: number }>(r.payload_sealed, invitationContext(drawId)).expertId }));
}

export async function seedDraws(ctx: ModuleContext, draws: DrawService): Promise<void> {
  const { db, clock } = ctx;
  if (await db('draws').first('id')) return;
  const op = await db('users').where({ username: 'operator' }).first('id');
  const operatorAt = (c: Clock): Actor => ({ ...systemActor('seed', c), userId: op ? Number(op.id) : null, role: 'operator' });
  const expertAt = (c: Clock): Actor => ({ ...systemActor('seed', c), role: 'expert' });
  const units = (await db('organisations').where({ kind: 'purchasing_unit' }).orderBy('id').select('id')).map((r: { id: number }) => Number(r.id));
  const suppliers = (await db('suppliers').where({ status: 'approved' }).orderBy('id').select('id')).map((r: { id: number }) => Number(r.id));
  if (units.length < 3 || suppliers.length < 12) return;
  const now = clock.now().getTime();
  const specialtyPools = (await db('expert_specialties as s').join('experts as e', 'e.id', 's.expert_id').where('e.status', 'active').groupBy('s.category_code').select('s.category_code as code').count({ n: '*' })) as Array<{ code: string; n: number | string }>;
  const bySize = specialtyPools.map((p) => ({ code: p.code, n: Number(p.n) })).sort((a, b) => b.n - a.n);
  if (!bySize.length || bySize[0].n < 9) return;

  // 1. Revealed and public: drawn three weeks ago, answered, revealed at bid opening, rated.
  const past = now - 21 * DAY;
  const pastClock: Clock = { now: () => new Date(past) };
  const pastDraws = createDrawService({ sealKey: ctx.config.secrets.sealKey, scheduler: ctx.scheduler, clock: pastClock });
  // One transaction from request to reveal: the invitations' answer deadlines lie in the past, and
  // a scheduler already running (a test's server, another cluster node) must not expire one between
  // the request and its seeded answer.
  const revealed = await withTx(db, async (tx) => {
    const r = await pastDraws.requestDraw(tx, operatorAt(pastClock), {
      projectRef: 'YGCG-2026-0117',
      purchasingOrgId: units[1],
      supplierIds: suppliers.slice(6, 10),
      groups: [{ specialty: bySize[0].code, count: 5 }],
      evaluationAt: new Date(past + 2 * DAY + 2 * HOUR).toISOString(),
      evaluationPlace: '阳光市政府采购中心 3楼 第2评标室',
      revealAt: new Date(past + 2 * DAY).toISOString(),
      responseMinutes: 24 * 60,
    });
    const r1 = await drawnExperts(tx, pastDraws, r.id);
    await pastDraws.respond(tx, expertAt(pastClock), r1[0].expertId, r1[0].id, 'decline');
    for (const inv of r1.slice(1, 4)) await pastDraws.respond(tx, expertAt(pastClock), inv.expertId, inv.id, 'accept');
    const replacement = (await drawnExperts(tx, pastDraws, r.id)).find((i) => i.status === 'pending' && !r1.some((x) => x.id === i.id));
    if (replacement) await pastDraws.respond(tx, expertAt(pastClock), replacement.expertId, replacement.id, 'accept');
    // r1[4] never answers: no answer at the reveal.
    await draws.revealIn(tx, r.id);
    return r;
  });
  const sat = await db('expert_evaluations').where({ draw_id: revealed.id }).orderBy('id').select('id');
  const scores = [4.5, 4.8, 3.9];
  for (const [i, v] of sat.slice(0, 3).entries()) {
    await withTx(db, (tx) => rateEvaluation(tx, operatorAt(clock), Number(v.id), scores[i], i === 2 ? '评审意见较简略' : '评审认真，意见专业'));
  }

  // 2. Sealed and live: the demo expert's specialty; declines are replaced until the demo expert
  //    is invited (as happens when several experts cannot come), one accepted, the rest pending.
  const demoUser = await db('users').where({ username: 'expert' }).first('id');
  const demo = demoUser ? await db('experts').where({ user_id: demoUser.id }).first('id') : null;
  const conflicted = demo ? (await db('expert_conflicts').where({ expert_id: demo.id }).whereNull('withdrawn_at').select('supplier_id')).map((r: any) => Number(r.supplier_id)) : [];
  const demoSpecs = demo ? (await db('expert_specialties').where({ expert_id: demo.id }).select('category_code')).map((r: any) => r.category_code as string) : [];
  // The works generalists' panel (specialty B) is small, so the demo expert is reached quickly.
  const spec = demoSpecs.includes('B') ? 'B' : (bySize.filter((p) => demoSpecs.includes(p.code) && p.n >= 8).sort((a, b) => a.n - b.n)[0]?.code ?? bySize[1].code);
  const live = await withTx(db, (tx) =>
    draws.requestDraw(tx, operatorAt(clock), {
      projectRef: 'YGCG-2026-0142',
      purchasingOrgId: units[0],
      supplierIds: suppliers.filter((s) => !conflicted.includes(s)).slice(0, 4),
      groups: [{ specialty: spec, count: 5 }],
      evaluationAt: new Date(now + 5 * DAY + 2 * HOUR).toISOString(),
      evaluationPlace: '阳光市政府采购中心 3楼 第1评标室',
      revealAt: new Date(now + 5 * DAY).toISOString(),
      responseMinutes: 48 * 60,
    }),
  );
  let declined = 0;
  for (let i = 0; i < 40; i++) {
    const invs = await drawnExperts(db, draws, live.id);
    const demoInvited = demo && invs.some((x) => x.expertId === Number(demo.id));
    if ((demoInvited || !demo) && declined > 0) break;
    const next = invs.find((x) => x.status === 'pending' && x.expertId !== Number(demo?.id));
    if (!next) break;
    await withTx(db, (tx) => draws.respond(tx, expertAt(clock), next.expertId, next.id, 'decline'));
    declined++;
  }
  const pendingOthers = (await drawnExperts(db, draws, live.id)).filter((x) => x.status === 'pending' && x.expertId !== Number(demo?.id));
  for (const inv of pendingOthers.slice(0, 2)) await withTx(db, (tx) => draws.respond(tx, expertAt(clock), inv.expertId, inv.id, 'accept'));

  // 3. Just requested: two specialties, everyone still to answer.
  await withTx(db, (tx) =>
    draws.requestDraw(tx, operatorAt(clock), {
      projectRef: 'YGCG-2026-0150',
      purchasingOrgId: units[2],
      supplierIds: suppliers.slice(10, 13),
      groups: [
        { specialty: bySize[2].code, count: 4 },
        { specialty: bySize[3]?.code ?? bySize[1].code, count: 3 },
      ],
      evaluationAt: new Date(now + 9 * DAY + 3 * HOUR).toISOString(),
      evaluationPlace: '阳光市政府采购中心 4楼 第3评标室',
      revealAt: new Date(now + 9 * DAY).toISOString(),
      responseMinutes: 72 * 60,
    }),
  );
}
