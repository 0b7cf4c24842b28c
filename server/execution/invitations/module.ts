// Supplier invitations: the sealed supplier draw (and invitations after a prequalification) for
// procedures that invite suppliers; routes, the reveal job.
import type { ModuleContext, PlatformModule } from '../../platform';
import { createInvitationService, SUPPLIER_REVEAL_JOB } from './service';
import { invitationRoutes } from './routes';

/** The invitation service for any module (invitational tender, competitive consultation). */
export function invitationServiceFor(ctx: Pick<ModuleContext, 'config' | 'scheduler' | 'realtime' | 'clock'>) {
  return createInvitationService({ sealKey: ctx.config.secrets.sealKey, scheduler: ctx.scheduler, realtime: ctx.realtime, clock: ctx.clock });
}

export function invitationsModule(ctx: ModuleContext): PlatformModule {
  const invitations = invitationServiceFor(ctx);
  ctx.scheduler.define<{ drawId: number }>(SUPPLIER_REVEAL_JOB, async (job) => {
    await invitations.reveal(ctx.db, job.payload.drawId);
  });
  return { name: 'invitations', routes: invitationRoutes(ctx.db, invitations, ctx.clock) };
}
