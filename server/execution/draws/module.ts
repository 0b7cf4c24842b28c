// The sealed expert draw module: routes, the reveal and deadline jobs, the draw:<id> channel.
import type { ModuleContext, PlatformModule } from '../../platform';
import { createDrawService, REVEAL_JOB, DEADLINE_JOB } from './service';
import { drawRoutes } from './routes';
import { seedDraws } from './seed';
import { deliverOutbox, outboxTransport, OUTBOX_JOB, OUTBOX_KEY, OUTBOX_RETRY_MS } from './outbox';
import { withTx } from '../../db/tx';

/**
 * The draw service for any module: `drawServiceFor(ctx).requestDraw(tx, actor, input)` inside the
 * caller's transaction, `revealDue(db)`. The jobs it schedules are handled by this module.
 */
export function drawServiceFor(ctx: Pick<ModuleContext, 'config' | 'scheduler' | 'realtime' | 'clock'>) {
  return createDrawService({ sealKey: ctx.config.secrets.sealKey, scheduler: ctx.scheduler, realtime: ctx.realtime, clock: ctx.clock });
}

export function drawsModule(ctx: ModuleContext): PlatformModule {
  const { db, scheduler, realtime, clock } = ctx;
  const draws = drawServiceFor(ctx);
  scheduler.define<{ drawId: number }>(REVEAL_JOB, async (job) => {
    await draws.reveal(db, job.payload.drawId);
  });
  scheduler.define<{ invitationId: number }>(DEADLINE_JOB, async (job) => {
    await draws.expireInvitation(db, job.payload.invitationId);
  });
  // The sealed outbox goes out through the registered SMS/e-mail transport; failures retry.
  scheduler.define(OUTBOX_JOB, async (job) => {
    const transport = outboxTransport();
    if (!transport) return; // no gateway configured: messages wait, sealed, for one
    await deliverOutbox(db, draws.sealer, transport, clock);
    const left = await db('draw_notification_outbox').where({ status: 'pending' }).first('id');
    if (left) await scheduler.schedule(db, { kind: OUTBOX_JOB, key: job.key, runAt: new Date(clock.now().getTime() + OUTBOX_RETRY_MS) });
  });
  // Progress (counts only) for the procurement centre and supervisors.
  realtime.channel('draw:', { authorize: (u, ch) => /^draw:\d+$/.test(ch) && u.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'admin') });
  return {
    name: 'draws',
    routes: drawRoutes(db, draws),
    seedDemo: () => seedDraws(ctx, draws),
    // Messages written while no transport was registered go out once one is.
    start: async () => {
      if (!outboxTransport() || !(await db('draw_notification_outbox').where({ status: 'pending' }).first('id'))) return;
      await withTx(db, (tx) => scheduler.schedule(tx, { kind: OUTBOX_JOB, key: `${OUTBOX_KEY}:start`, runAt: clock.now() }));
    },
  };
}
