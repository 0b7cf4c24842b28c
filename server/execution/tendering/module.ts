// Electronic tendering: documents, sealed bids, online opening, evaluation, award.
import type { ModuleContext, PlatformModule } from '../../platform';
import { tenderingRoutes } from './routes';
import { startOpening, closeOpening } from './opening/service';
import { JOB_CLOSE_DECRYPTION, JOB_OPEN, type TenderingDeps } from './deps';
import { seedTenders } from './seed';
import { useDrawResults } from './evaluation/committee';
import { readRevealedDraw, linkRevealedDraw } from './evaluation/draw-adapter';
import { onDrawRevealed } from '../draws/service';

export function tenderingModule(ctx: ModuleContext): PlatformModule {
  const deps: TenderingDeps = { db: ctx.db, clock: ctx.clock, scheduler: ctx.scheduler, realtime: ctx.realtime, log: ctx.log, config: ctx.config };
  ctx.scheduler.define<{ tenderId: number }>(JOB_OPEN, (job) => startOpening(deps, job.payload.tenderId));
  ctx.scheduler.define<{ tenderId: number }>(JOB_CLOSE_DECRYPTION, (job) => closeOpening(deps, job.payload.tenderId));
  useDrawResults(readRevealedDraw);
  // Anyone signed in may watch a tender; messages carry statuses, the opening's counts and, once
  // published, the opening record only.
  ctx.realtime.channel('tender:', { authorize: (_u, ch) => /^tender:\d+$/.test(ch) });
  // A revealed draw made for a tender becomes its committee (after the reveal commits).
  const offReveal = onDrawRevealed((drawId) => {
    void linkRevealedDraw(deps, drawId).catch((e) => ctx.log.warn('committee from draw not linked', { drawId, code: (e as { code?: string }).code, error: (e as Error).message }));
  });
  return {
    name: 'tendering',
    routes: tenderingRoutes(deps),
    seedDemo: () => seedTenders(deps),
    stop: () => void offReveal(),
  };
}
