// Online price competition (网上竞价): live reverse auctions over the WebSocket hub.
import type { ModuleContext, PlatformModule } from '../../platform';
import { AuctionService, OPEN_JOB } from './service';
import { CLOSE_JOB } from './engine';
import { auctionRoutes } from './routes';
import * as repo from './repository';
import { broadcastShaper, stateFor, viewerOf } from './views';
import { inOrder, type BroadcastOrder, type OrderedBroadcast } from './broadcaster';
import { seedAuctions } from './seed';

export function auctionsModule(ctx: ModuleContext): PlatformModule {
  const service = new AuctionService(ctx);
  const idOf = (channel: string) => {
    const id = Number(channel.slice('auction:'.length));
    return Number.isSafeInteger(id) && id > 0 ? id : null;
  };

  ctx.realtime.channel('auction:', {
    authorize: async (user, channel) => {
      const id = idOf(channel);
      if (!id) return false;
      const a = await repo.findAuction(ctx.db, id);
      return !!a && (await service.mayWatch(user, a));
    },
    // A (re)connecting client gets the full current state first.
    snapshot: async (client, channel) => {
      const live = await service.live(idOf(channel)!);
      return live ? stateFor(live.view(), viewerOf(client.user), ctx.clock.now()) : undefined;
    },
  });
  // State broadcasts are shaped per recipient on the node holding the socket (cluster fan-out).
  // A state older than one already delivered here (a paused old owner's, sent after the takeover) is dropped.
  const delivered = new Map<number, BroadcastOrder>();
  ctx.realtime.shaper<OrderedBroadcast>('auction:', (b) => {
    if (b.order) {
      if (!inOrder(delivered.get(b.order.auctionId), b.order)) return () => undefined;
      delivered.set(b.order.auctionId, b.order);
    }
    const shape = broadcastShaper(b);
    return (c) => shape(c.user);
  });
  // service.bid never throws: every bid gets its own answer with its clientBidId.
  ctx.realtime.on('bid', async (client, msg) => client.send(await service.bid(client, msg, { rateLimit: true })));

  ctx.scheduler.define<{ auctionId: number }>(OPEN_JOB, (job) => service.openOrFail(job.payload.auctionId));
  ctx.scheduler.define<{ auctionId: number }>(CLOSE_JOB, (job) => service.close(job.payload.auctionId));

  return {
    name: 'auctions',
    routes: auctionRoutes(ctx.db, service),
    seedDemo: () => seedAuctions(ctx, service),
    start: async () => {
      const n = await service.recover();
      if (n) ctx.log.info('competitions resumed from the database', { competitions: n });
    },
    stop: () => service.stop(),
    // Exposed for tests and the benchmark (engine statistics, idle()).
    service,
  } as PlatformModule & { service: AuctionService };
}
