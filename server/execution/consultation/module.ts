// Competitive consultation (竞争性磋商): documents, invitations, first responses, the team,
// separate rounds, document changes; the final quotations run on the tendering module.
import type { ModuleContext, PlatformModule } from '../../platform';
import { consultationRoutes } from './routes';
import { closeResponses, finalQuotationHooks, linkRevealedDrawToConsultation } from './service';
import { onDrawRevealed } from '../draws/service';
import { JOB_CLOSE_RESPONSES, type ConsultationDeps } from './deps';
import { registerProcedure } from '../tendering/procedures';
import { seedConsultations } from './seed';

export function consultationModule(ctx: ModuleContext): PlatformModule {
  const deps: ConsultationDeps = { db: ctx.db, clock: ctx.clock, scheduler: ctx.scheduler, realtime: ctx.realtime, log: ctx.log, config: ctx.config };
  ctx.scheduler.define<{ consultationId: number }>(JOB_CLOSE_RESPONSES, async (job) => void (await closeResponses(deps, job.payload.consultationId)));
  // Statuses only on the shared channel: never a supplier, a response or a minute.
  ctx.realtime.channel('consultation:', { authorize: (_u, ch) => /^consultation:\d+$/.test(ch) });
  const off = registerProcedure('competitive_consultation', finalQuotationHooks);
  // A revealed draw requested for a consultation becomes its team (after the reveal commits).
  const offReveal = onDrawRevealed((drawId) => {
    void linkRevealedDrawToConsultation(deps, drawId).catch((e) => ctx.log.warn('consultation team from draw not linked', { drawId, code: (e as { code?: string }).code, error: (e as Error).message }));
  });
  return {
    name: 'consultation',
    routes: consultationRoutes(deps),
    seedDemo: () => seedConsultations(deps),
    stop: () => {
      off();
      offReveal();
    },
  };
}
