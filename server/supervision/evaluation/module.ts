// Supervisors watch an evaluation as it happens: GET /api/supervision/evaluations/:id/timeline, and
// the WebSocket channel `supervision:evaluation:<tenderId>` (supervisors only), which sends the
// timeline so far on subscribe and then each new entry after it commits.
import type { ModuleContext, PlatformModule } from '../../platform';
import { defineRoutes } from '../../http/routes';
import { NotFoundError } from '../../http/errors';
import { onAuditEvents } from '../audit/audit';
import { committeeUsers, evaluationTimeline, isEvaluationAction, toEntry } from './timeline';

export const EVALUATION_CHANNEL = 'supervision:evaluation:';

export function evaluationWatchModule({ db, realtime, log }: ModuleContext): PlatformModule {
  const tenderOf = (ch: string) => Number(ch.slice(EVALUATION_CHANNEL.length));
  realtime.channel(EVALUATION_CHANNEL, {
    authorize: (u, ch) => u.roles.includes('supervisor') && /^\d{1,10}$/.test(ch.slice(EVALUATION_CHANNEL.length)),
    snapshot: async (_c, ch) => ({ type: 'evaluation.timeline', ...(await evaluationTimeline(db, tenderOf(ch))) }),
  });
  let stop: (() => void) | null = null;
  return {
    name: 'evaluation-watch',
    start: () => {
      stop = onAuditEvents((events) => {
        for (const e of events) {
          if (e.entity_type === 'tender' && isEvaluationAction(e.action)) {
            // The entry names its actor as the timeline does (the page tells it as a sentence).
            void (async () => {
              const who = e.actor_id === null ? null : await db('users').where({ id: e.actor_id }).first('display_name');
              realtime.publish(`${EVALUATION_CHANNEL}${e.entity_id}`, { type: 'evaluation.entry', tenderId: Number(e.entity_id), entry: toEntry({ ...e, actor_name: who?.display_name ?? null }) });
            })().catch((err) => log.warn('evaluation watch: entry not forwarded', { error: (err as Error).message }));
          } else if (e.action === 'auth.login' && e.actor_id !== null) {
            // A committee member signing in while one of its tenders is in evaluation.
            void (async () => {
              const tenders = await db('tender_committee as c').join('experts as x', 'x.id', 'c.expert_id').join('tenders as t', 't.id', 'c.tender_id').where('x.user_id', e.actor_id).whereIn('t.status', ['evaluation', 'report_confirmation']).select('c.tender_id');
              for (const t of tenders) {
                const members = await committeeUsers(db, Number(t.tender_id));
                const who = await db('users').where({ id: e.actor_id }).first('display_name');
                realtime.publish(`${EVALUATION_CHANNEL}${t.tender_id}`, { type: 'evaluation.entry', tenderId: Number(t.tender_id), entry: { ...toEntry({ ...e, actor_name: who?.display_name ?? null }), expertId: members.get(Number(e.actor_id)) ?? null } });
              }
            })().catch((err) => log.warn('evaluation watch: sign-in not forwarded', { error: (err as Error).message }));
          }
        }
      });
    },
    stop: () => {
      stop?.();
      stop = null;
    },
    routes: defineRoutes([
      {
        method: 'get',
        path: '/api/supervision/evaluations/:id/timeline',
        tag: 'supervision',
        summary: "A tender evaluation on one timeline: members' sign-ins, bids opened, every score entered or changed (before and after), abnormally-low queries and answers, submissions, result and report",
        roles: ['supervisor', 'admin'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        handler: async ({ params }) => {
          const t = await evaluationTimeline(db, params.id);
          if (t.status === 'unknown') throw new NotFoundError(`No tender ${params.id}`, null, 'TENDER_NOT_FOUND');
          return t;
        },
      },
    ]),
  };
}
