// The supervision wing: live red-flag engine on the audit trail, alert handling, monitoring
// board and alert feed over WebSocket (supervisors only), full trace, performance, risk register.
import type { ModuleContext, PlatformModule } from '../platform';
import { onAuditEvents } from './audit/audit';
import { AlertService } from './alerts/service';
import { RuleSettingsService } from './config/service';
import { RiskPointService } from './risk/service';
import { RuleEngine } from './engine/engine';
import { buildBoard } from './board/service';
import { forgetWorkingCalendar } from './engine/handlers';
import { processKeyOf, type BusEvent } from './sources/event-contract';
import { supervisionRoutes } from './routes';
import { seedSupervision } from './seed';

export const BOARD_CHANNEL = 'supervision:board';
export const ALERTS_CHANNEL = 'supervision:alerts';
const BOARD_DEBOUNCE_MS = 250;

export function supervisionModule(ctx: ModuleContext): PlatformModule & { engine: RuleEngine; alerts: AlertService } {
  const { db, clock, log, realtime } = ctx;
  const settings = new RuleSettingsService(db);
  const alerts = new AlertService(db);
  const risks = new RiskPointService(db);
  const engine = new RuleEngine({ db, clock, log, settings, alerts });

  const supervisorsOnly = (u: { roles: string[] }) => u.roles.includes('supervisor');
  realtime.channel('supervision:', { authorize: (u, ch) => supervisorsOnly(u) && (ch === BOARD_CHANNEL || ch === ALERTS_CHANNEL) });
  realtime.channel(BOARD_CHANNEL, {
    authorize: (u) => supervisorsOnly(u),
    snapshot: async () => ({ type: 'supervision.board', board: await buildBoard(db, clock.now()) }),
  });

  // The board follows every committed change, at most once per debounce window.
  let boardTimer: NodeJS.Timeout | null = null;
  const boardChanged = () => {
    if (boardTimer) return;
    boardTimer = setTimeout(async () => {
      boardTimer = null;
      try {
        realtime.publish(BOARD_CHANNEL, { type: 'supervision.board', board: await buildBoard(db, clock.now()) });
      } catch (err) {
        log.error('supervision board refresh failed', { error: (err as Error).message });
      }
    }, BOARD_DEBOUNCE_MS);
    boardTimer.unref?.();
  };
  alerts.onChange((alert, change) => realtime.publish(ALERTS_CHANNEL, { type: 'supervision.alert', change, alert }));
  let unsubscribeBoard: (() => void) | null = null;

  // Cluster: what this node keeps in memory follows the changes committed on the others.
  const offCaches = [
    ctx.caches.register('supervision-calendar', {
      stale: (events) => events.some((e) => e.entity_type === 'calendar_day' || e.entity_type === 'calendar_year'),
      drop: () => forgetWorkingCalendar(),
    }),
    ctx.caches.register('supervision-process-events', {
      // A contract's process is found through the database: forget every process then (rare).
      // Not our sequencer's bid batches: a competition of the auctions tables is read from those
      // tables (its bids from the database as they come), never from these cached events, and a
      // drop per batch (hundreds a second, to every node) only loaded the bus and every node.
      stale: (events) =>
        events.some((e) => e.entity_type === 'contract')
          ? true
          : events
              .filter((e) => e.action !== 'auction.bids_accepted')
              .map((e) => processKeyOf(e as unknown as BusEvent))
              .filter((k): k is string => k !== null),
      // This node saw its own commits live (engine.sources.observe); only the others' are missing.
      remoteOnly: true,
      drop: (keys) => engine.sources.forget(keys),
    }),
  ];

  return {
    name: 'supervision',
    engine,
    alerts,
    routes: supervisionRoutes({ db, clock, alerts, settings, risks, engine }),
    seedDemo: () => seedSupervision({ db, clock, alerts, settings, risks, engine }),
    start() {
      engine.start();
      unsubscribeBoard = onAuditEvents(() => boardChanged());
    },
    async stop() {
      offCaches.forEach((off) => off());
      engine.stop();
      unsubscribeBoard?.();
      if (boardTimer) clearTimeout(boardTimer);
      await engine.idle();
    },
  };
}
