// The cluster bus: how one node tells every node (itself included) that something happened —
// a WebSocket message to fan out, a cache to drop, a session to close. Without REDIS_URL it is an
// in-process LocalBus (single node, today's behaviour, no serialisation); with it, Redis pub/sub.
import { Redis } from 'ioredis';
import type { Logger } from '../http/log';

export interface ClusterBus {
  readonly nodeId: string;
  /** False for the in-process LocalBus. */
  readonly clustered: boolean;
  /** Delivered to every node's subscribers of topic, including this node's; in order per topic (per publishing node). */
  publish(topic: string, msg: unknown): Promise<void>;
  /**
   * Delivered to that one node's subscribers of topic only (a request to a competition's owner,
   * its answer): the other nodes never receive it, not even to drop it.
   */
  publishTo(nodeId: string, topic: string, msg: unknown): Promise<void>;
  /** Exact topic; returns the unsubscribe function. `from` is the publishing node's id. */
  subscribe(topic: string, handler: (msg: unknown, from: string) => void): () => void;
  close(): Promise<void>;
}

type Handler = (msg: unknown, from: string) => void;

/** Topic → handlers, shared by both buses: a handler that throws is logged and the others still run. */
class Handlers {
  private byTopic = new Map<string, Set<Handler>>();
  constructor(private log: Logger) {}

  add(topic: string, handler: Handler): () => void {
    let set = this.byTopic.get(topic);
    if (!set) this.byTopic.set(topic, (set = new Set()));
    // A wrapper per subscription, so subscribing the same function twice gives two deliveries and two unsubscribes.
    const entry: Handler = (m, f) => handler(m, f);
    set.add(entry);
    return () => {
      const s = this.byTopic.get(topic);
      if (!s) return;
      s.delete(entry);
      if (s.size === 0) this.byTopic.delete(topic);
    };
  }

  has(topic: string): boolean {
    return this.byTopic.has(topic);
  }

  deliver(topic: string, msg: unknown, from: string): void {
    const set = this.byTopic.get(topic);
    if (!set) return;
    for (const h of [...set]) {
      try {
        h(msg, from);
      } catch (err) {
        this.log.error('bus handler failed', { topic, error: (err as Error).message });
      }
    }
  }
}

/** One process: delivery is synchronous and in order, and messages are passed by reference (no copy). */
export class LocalBus implements ClusterBus {
  readonly clustered = false;
  private handlers: Handlers;
  constructor(readonly nodeId: string, log: Logger) {
    this.handlers = new Handlers(log);
  }
  publish(topic: string, msg: unknown): Promise<void> {
    this.handlers.deliver(topic, msg, this.nodeId);
    return Promise.resolve();
  }
  publishTo(nodeId: string, topic: string, msg: unknown): Promise<void> {
    // One process is one node: there is no other to reach.
    if (nodeId === this.nodeId) this.handlers.deliver(topic, msg, this.nodeId);
    return Promise.resolve();
  }
  subscribe(topic: string, handler: Handler): () => void {
    return this.handlers.add(topic, handler);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Redis pub/sub: one connection publishes (and runs the few commands shared state needs, see
 * `commands`), one only listens. The listener pattern-subscribes to the whole namespace once, at
 * creation: a topic subscribed later never misses a message published after `subscribe()`
 * returned (a per-topic SUBSCRIBE would be acknowledged asynchronously), and every node receives
 * every message in the order each publisher sent it (Redis keeps one connection's order).
 * Messages for one node go to its own channel (`<namespace>@<nodeId>`), which the pattern leaves
 * out and only that node subscribes to (once, at creation): a competition's forwarded bids reach
 * its owner alone instead of every node (two thirds of the bus's traffic, three nodes bidding).
 */
export class RedisBus implements ClusterBus {
  readonly clustered = true;
  private handlers: Handlers;
  private closed = false;

  private constructor(
    readonly nodeId: string,
    /** Prefix of every channel and key this cluster uses in Redis (`sunshine:<database>:`). */
    readonly namespace: string,
    private pub: Redis,
    private sub: Redis,
    private log: Logger,
  ) {
    this.handlers = new Handlers(log);
  }

  static async connect(opts: { redisUrl: string; nodeId: string; namespace: string; log: Logger }): Promise<RedisBus> {
    const { redisUrl, nodeId, namespace, log } = opts;
    const make = (role: string) =>
      new Redis(redisUrl, {
        connectionName: `${nodeId}:${role}`,
        lazyConnect: true,
        // Reconnect forever, backing off to 2 s; commands wait (offline queue) while it reconnects.
        retryStrategy: (times) => Math.min(times * 100, 2000),
        maxRetriesPerRequest: 20,
      });
    const pub = make('pub');
    const sub = make('sub');
    let everConnected = false;
    for (const [role, conn] of [['pub', pub], ['sub', sub]] as const) {
      conn.on('error', (err: Error) => everConnected && log.warn('redis connection error', { role, error: err.message }));
      conn.on('reconnecting', () => everConnected && log.warn('redis reconnecting', { role }));
    }
    try {
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (err) {
      pub.disconnect();
      sub.disconnect();
      throw new Error(`cannot reach Redis at ${redactUrl(redisUrl)}: ${(err as Error).message}`);
    }
    everConnected = true;
    const bus = new RedisBus(nodeId, namespace, pub, sub, log);
    sub.on('pmessage', (_pattern: string, channel: string, raw: string) => bus.onMessage(channel, raw));
    sub.on('message', (channel: string, raw: string) => channel === bus.ownChannel && bus.onDirect(raw));
    // ioredis re-issues both after a reconnect (autoResubscribe).
    await sub.psubscribe(`${namespace}[^@]*`);
    await sub.subscribe(bus.ownChannel);
    return bus;
  }

  /** Both connections are up (readiness: a node that cannot reach Redis misses the other nodes' messages). */
  get connected(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready';
  }

  /** The command connection, for shared state kept in Redis (login throttling); keys go under `namespace`. */
  get commands(): Redis {
    return this.pub;
  }

  private get ownChannel(): string {
    return directChannel(this.namespace, this.nodeId);
  }

  private onDirect(raw: string): void {
    let env: { from: string; topic: string; msg: unknown };
    try {
      env = JSON.parse(raw);
    } catch {
      this.log.warn('bus message is not JSON', { channel: 'direct' });
      return;
    }
    this.handlers.deliver(env.topic, env.msg, env.from);
  }

  private onMessage(channel: string, raw: string): void {
    if (!channel.startsWith(this.namespace)) return;
    const topic = channel.slice(this.namespace.length);
    if (!this.handlers.has(topic)) return;
    let env: { from: string; msg: unknown };
    try {
      env = JSON.parse(raw);
    } catch {
      this.log.warn('bus message is not JSON', { topic });
      return;
    }
    this.handlers.deliver(topic, env.msg, env.from);
  }

  async publish(topic: string, msg: unknown): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    await this.pub.publish(this.namespace + topic, JSON.stringify({ from: this.nodeId, msg }));
  }

  async publishTo(nodeId: string, topic: string, msg: unknown): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    await this.pub.publish(directChannel(this.namespace, nodeId), JSON.stringify({ from: this.nodeId, topic, msg }));
  }

  subscribe(topic: string, handler: Handler): () => void {
    return this.handlers.add(topic, handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }
}

/** One node's own channel: outside the namespace's pattern (`[^@]*`), so no other node receives it. */
const directChannel = (namespace: string, nodeId: string) => `${namespace}@${nodeId}`;

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** The default node id: the host name and process id, unique per running process on a host. */
export function defaultNodeId(hostname: string, pid: number): string {
  return `${hostname}-${pid}`;
}

/**
 * LocalBus without a Redis URL, RedisBus with one. `namespace` keeps clusters sharing a Redis
 * apart (default `sunshine:`; main.ts passes `sunshine:<database name>:`).
 */
export async function createBus(opts: { redisUrl?: string | null; nodeId: string; log: Logger; namespace?: string }): Promise<ClusterBus> {
  if (!opts.redisUrl) return new LocalBus(opts.nodeId, opts.log);
  return RedisBus.connect({ redisUrl: opts.redisUrl, nodeId: opts.nodeId, log: opts.log, namespace: opts.namespace ?? 'sunshine:' });
}
