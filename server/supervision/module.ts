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
/** Cluster mode: how often a node with board watchers reads the board again (the other nodes' changes). */
const BOARD_POLL_MS = 1000;

export function supervisionModule(ctx: ModuleContext): PlatformModule & { engine: RuleEngine; alerts: AlertService } {
  const { db, clock, log, realtime } = ctx;
  const settings = new RuleSettingsService(db);
  const alerts = new AlertService(db);
  const risks = new RiskPointService(db);
  const engine = new RuleEngine({ db, clock, log, settings, alerts });

  const supervisorsOnly = (u: { roles: string[] }) => u.roles.includes('supervisor');
  realtime.channel('supervision:', { authorize: (u, ch) => supervisorsOnly(u) && (ch === BOARD_CHANNEL || ch === ALERTS_CHANNEL) });
  const boardMessage = async () => ({ type: 'supervision.board', board: await buildBoard(db, clock.now()) });
  realtime.channel(BOARD_CHANNEL, { authorize: (u) => supervisorsOnly(u), snapshot: boardMessage });

  // The board is built only where someone watches it, for the watchers on this node: after this
  // node's commits (at most once per debounce window) and, in cluster mode, once a second, which
  // is how the other nodes' commits reach it (each node building and sending its board to every
  // node after each of its commits, watched or not, was 14 queries and a bus message four times a
  // second per node under bidding). A board unchanged since the last one sent is not sent again.
  let boardTimer: NodeJS.Timeout | null = null;
  let boardPoll: NodeJS.Timeout | null = null;
  let lastBoard: string | null = null;
  // One refresh at a time, so an older board never overtakes a newer one; one asked meanwhile runs after.
  let refreshing: Promise<void> | null = null;
  let again = false;
  const refreshBoard = async (): Promise<void> => {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = buildAndSendBoard().finally(() => {
      refreshing = null;
      if (again) {
        again = false;
        void refreshBoard();
      }
    });
    return refreshing;
  };
  const buildAndSendBoard = async () => {
    if (!realtime.watchers(BOARD_CHANNEL)) {
      lastBoard = null;
      return;
    }
    try {
      const msg = await boardMessage();
      const text = JSON.stringify(msg);
      if (text === lastBoard) return;
      lastBoard = text;
      realtime.publishLocal(BOARD_CHANNEL, msg);
    } catch (err) {
      log.error('supervision board refresh failed', { error: (err as Error).message });
    }
  };
  const boardChanged = () => {
    if (boardTimer || !realtime.watchers(BOARD_CHANNEL)) return;
    boardTimer = setTimeout(() => {
      boardTimer = null;
      void refreshBoard();
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
      if (realtime.clustered) {
        boardPoll = setInterval(() => void refreshBoard(), BOARD_POLL_MS);
        boardPoll.unref?.();
      }
    },
    async stop() {
      offCaches.forEach((off) => off());
      engine.stop();
      unsubscribeBoard?.();
      if (boardTimer) clearTimeout(boardTimer);
      if (boardPoll) clearInterval(boardPoll);
      await refreshing;
      await engine.idle();
    },
  };
}
