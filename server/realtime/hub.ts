// WebSocket hub on /ws: authenticated by the session cookie, channel subscriptions that
// modules authorise and publish to, heartbeats, and a clean close when the session ends.
// In cluster mode every publish goes once over the cluster bus and each node delivers it to its
// own sockets (README "Running as a cluster"); on a single node it is delivered directly.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { parseCookies, SESSION_COOKIE, type SessionStore, type SessionUser } from '../http/auth/sessions';
import type { Clock } from '../db/time';
import type { Logger } from '../http/log';
import { isDbUnavailable } from '../db/faults';
import type { ClusterBus } from './bus';

export const WS_PATH = '/ws';
export const CLOSE_LOGGED_OUT = 4001;

export interface Client {
  socket: WebSocket;
  user: SessionUser;
  ip: string | null;
  channels: Set<string>;
  alive: boolean;
  /** Which heartbeat tick pings this socket (see beat()). */
  slot?: number;
  send(msg: unknown): void;
}

/** Decides whether a user may join a channel; may return a first message (current state). */
export interface ChannelPolicy {
  authorize(user: SessionUser, channel: string): boolean | Promise<boolean>;
  snapshot?(client: Client, channel: string): unknown | Promise<unknown>;
}

export type MessageHandler = (client: Client, msg: Record<string, unknown>) => void | Promise<void>;

/** Builds, from data every node receives alike, the message each recipient gets (undefined: none; a string: JSON already). */
export type Shaper = (data: never) => (client: Client) => unknown;

/**
 * Bus topics of the hub: channel messages, one topic per channel (in order per channel), and
 * sessions to close. A node listens to a channel's topic only while one of its sockets watches
 * that channel, so a node never parses or shapes the states of competitions nobody watches there.
 */
export const WS_TOPIC = 'ws:';
export const SESSION_CLOSED_TOPIC = 'ws.session-closed';
type WsEnvelope = { c: string; m: unknown } | { c: string; d: unknown };

export class RealtimeHub {
  private wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private clients = new Set<Client>();
  private subscribers = new Map<string, Set<Client>>();
  private policies: Array<{ prefix: string; policy: ChannelPolicy }> = [];
  private handlers = new Map<string, MessageHandler>();
  private shapers: Array<{ prefix: string; make: Shaper }> = [];
  private busOff: Array<() => void> = [];
  /** Cluster mode: the channels whose bus topic this node listens to (a local socket watches them). */
  private channelTopics = new Map<string, () => void>();
  private heartbeat: NodeJS.Timeout;
  /** Heartbeat: the period is cut into slots of about a second; each tick pings one slot's sockets. */
  private readonly heartbeatSlots: number;
  private heartbeatTick = 0;
  private nextSlot = 0;

  constructor(
    private deps: { sessions: SessionStore; clock: Clock; log: Logger; heartbeatMs?: number; bus?: ClusterBus },
  ) {
    // Every user has a private channel for notifications.
    this.channel('user:', { authorize: (u, ch) => ch === `user:${u.id}` });
    this.channel('system', { authorize: () => true });
    // Every socket is pinged once per period, but not all in the same instant: a node with
    // thousands of sockets would send thousands of pings (and read as many pongs) at once, a
    // stall of everything else on the node, every node of a cluster in step.
    const periodMs = deps.heartbeatMs ?? 25_000;
    this.heartbeatSlots = Math.max(1, Math.floor(periodMs / 1000));
    this.heartbeat = setInterval(() => this.beat(), periodMs / this.heartbeatSlots);
    this.heartbeat.unref();
    const bus = deps.bus;
    if (bus) this.busOff.push(bus.subscribe(SESSION_CLOSED_TOPIC, (m) => this.closeLocalSession(String((m as { sessionId: unknown }).sessionId))));
  }

  /** True when messages go through the cluster bus (several nodes), false when delivered in process. */
  get clustered(): boolean {
    return this.deps.bus?.clustered === true;
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== WS_PATH) {
        socket.destroy();
        return;
      }
      void this.authenticate(req).then((user) => {
        if (!user) {
          socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          socket.destroy();
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, user, req.socket.remoteAddress ?? null));
      }, () => socket.destroy());
    });
  }

  private async authenticate(req: IncomingMessage): Promise<SessionUser | null> {
    // Cross-site WebSocket hijacking: a browser always sends Origin; it must be this host.
    const origin = req.headers.origin;
    if (origin) {
      try {
        if (new URL(origin).host !== req.headers.host) return null;
      } catch {
        return null;
      }
    }
    return this.deps.sessions.resolve(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
  }

  /** Register who may subscribe to channels starting with prefix (longest prefix wins). */
  channel(prefix: string, policy: ChannelPolicy): void {
    this.policies.push({ prefix, policy });
    this.policies.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** Register a handler for a client message type (e.g. 'bid'). */
  on(type: string, handler: MessageHandler): void {
    this.handlers.set(type, handler);
  }

  private onConnection(socket: WebSocket, user: SessionUser, ip: string | null): void {
    const client: Client = {
      socket,
      user,
      ip,
      channels: new Set(),
      alive: true,
      slot: this.nextSlot++ % this.heartbeatSlots,
      send: (msg) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
      },
    };
    this.clients.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (data: RawData) => void this.onMessage(client, data));
    socket.on('close', () => this.drop(client));
    socket.on('error', () => this.drop(client));
    client.send({ type: 'hello', user: { id: user.id, username: user.username, roles: user.roles }, serverTime: this.deps.clock.now().toISOString() });
  }

  private async onMessage(client: Client, data: RawData): Promise<void> {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(data.toString());
      if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') throw new Error();
    } catch {
      client.send({ type: 'error', code: 'MALFORMED_MESSAGE', message: 'Messages are JSON objects with a string "type"' });
      return;
    }
    try {
      switch (msg.type) {
        case 'ping':
          client.send({ type: 'pong', serverTime: this.deps.clock.now().toISOString(), id: msg.id ?? null });
          return;
        case 'subscribe':
          await this.subscribe(client, String(msg.channel ?? ''));
          return;
        case 'unsubscribe': {
          const ch = String(msg.channel ?? '');
          client.channels.delete(ch);
          this.leave(client, ch);
          client.send({ type: 'unsubscribed', channel: ch });
          return;
        }
        default: {
          const h = this.handlers.get(msg.type as string);
          if (!h) {
            client.send({ type: 'error', code: 'UNKNOWN_TYPE', message: `Unknown message type ${String(msg.type).slice(0, 40)}` });
            return;
          }
          await h(client, msg);
        }
      }
    } catch (err) {
      // Never an anonymous answer: it names what it answers (the message's clientBidId, channel or
      // id) and says whether the platform is unavailable (send again later) or something broke.
      this.deps.log.error('ws handler failed', { type: String(msg.type), error: (err as Error).message });
      const down = isDbUnavailable(err);
      const about: Record<string, unknown> = { for: String(msg.type).slice(0, 40) };
      for (const k of ['clientBidId', 'channel', 'id', 'auctionId'] as const) if (msg[k] !== undefined && (typeof msg[k] === 'string' || typeof msg[k] === 'number')) about[k] = typeof msg[k] === 'string' ? (msg[k] as string).slice(0, 128) : msg[k];
      client.send(down ? { type: 'error', code: 'SERVICE_UNAVAILABLE', message: 'The platform cannot answer right now; send again shortly', retryAfterMs: 2000, ...about } : { type: 'error', code: 'INTERNAL', message: 'Internal error', ...about });
    }
  }

  private async subscribe(client: Client, channel: string): Promise<void> {
    const entry = this.policies.find((p) => channel.startsWith(p.prefix));
    if (!channel || channel.length > 128 || !entry || !(await entry.policy.authorize(client.user, channel))) {
      client.send({ type: 'error', code: 'FORBIDDEN_CHANNEL', channel, message: 'You may not subscribe to this channel' });
      return;
    }
    client.channels.add(channel);
    let set = this.subscribers.get(channel);
    if (!set) {
      this.subscribers.set(channel, (set = new Set()));
      // The first local watcher: listen to the channel's topic before the snapshot is read, so no
      // state published after the snapshot is missed (the bus listens to everything already).
      if (this.clustered) this.channelTopics.set(channel, this.deps.bus!.subscribe(WS_TOPIC + channel, (env) => this.fromBus(env as WsEnvelope)));
    }
    set.add(client);
    client.send({ type: 'subscribed', channel });
    const snap = entry.policy.snapshot ? await entry.policy.snapshot(client, channel) : undefined;
    if (snap !== undefined) client.send(snap);
  }

  /**
   * Register how messages of channels starting with prefix are tailored per recipient, from shared
   * data (longest prefix wins). Every node registers the same shapers, so each shapes for its own sockets.
   */
  shaper<T>(prefix: string, make: (data: T) => (client: Client) => unknown): void {
    this.shapers.push({ prefix, make: make as Shaper });
    this.shapers.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /**
   * Send to every subscriber of a channel, on every node. A function `msg` tailors the message per
   * recipient (an object, or a JSON string) but cannot cross nodes: in cluster mode publish plain
   * data with publishShaped instead. Returns the number of this node's sockets reached when
   * delivered in process; in cluster mode delivery happens when the bus brings the message back (0).
   */
  publish(channel: string, msg: unknown | ((client: Client) => unknown)): number {
    if (typeof msg === 'function') {
      if (this.clustered) throw new Error(`a per-recipient function cannot reach other nodes: use publishShaped for ${channel}`);
      return this.deliver(channel, msg as (client: Client) => unknown);
    }
    if (this.clustered) return this.toBus({ c: channel, m: msg });
    return this.deliver(channel, msg);
  }

  /** How many of this node's sockets watch a channel (work done only for watchers can be skipped at 0). */
  watchers(channel: string): number {
    return this.subscribers.get(channel)?.size ?? 0;
  }

  /** Send to this node's subscribers only: what is about this node (its own health), not the platform's data. */
  publishLocal(channel: string, msg: unknown): number {
    return this.deliver(channel, msg);
  }

  /** Send `data` to a channel's subscribers on every node, each recipient's message made by the channel's registered shaper. */
  publishShaped(channel: string, data: unknown): number {
    const make = this.shaperOf(channel);
    if (this.clustered) return this.toBus({ c: channel, d: data });
    return this.deliver(channel, make(data as never));
  }

  private shaperOf(channel: string): Shaper {
    const entry = this.shapers.find((s) => channel.startsWith(s.prefix));
    if (!entry) throw new Error(`no shaper registered for ${channel}`);
    return entry.make;
  }

  private toBus(env: WsEnvelope): number {
    // Published in call order on one connection: every node sees this node's messages in that order.
    this.deps.bus!.publish(WS_TOPIC + env.c, env).catch((err) => this.deps.log.error('ws fan-out publish failed', { channel: env.c, error: (err as Error).message }));
    return 0;
  }

  private fromBus(env: WsEnvelope): void {
    if (!this.subscribers.has(env.c)) return;
    if ('d' in env) this.deliver(env.c, this.shaperOf(env.c)(env.d as never));
    else this.deliver(env.c, env.m);
  }

  /** This node's subscribers of a channel. */
  private deliver(channel: string, msg: unknown | ((client: Client) => unknown)): number {
    const set = this.subscribers.get(channel);
    if (!set) return 0;
    let payloadForAll: string | null = typeof msg === 'function' ? null : JSON.stringify(msg);
    let n = 0;
    for (const c of set) {
      if (c.socket.readyState !== WebSocket.OPEN) continue;
      if (payloadForAll !== null) c.socket.send(payloadForAll);
      else {
        const m = (msg as (client: Client) => unknown)(c);
        if (m === undefined) continue;
        // A string is already-serialised JSON (lets a hot publisher serialise shared parts once).
        c.socket.send(typeof m === 'string' ? m : JSON.stringify(m));
      }
      n++;
    }
    return n;
  }

  /** Logout: close that session's sockets, on every node, so no stale authority lingers. */
  closeSession(sessionId: string): void {
    if (!this.deps.bus) return this.closeLocalSession(sessionId);
    this.deps.bus.publish(SESSION_CLOSED_TOPIC, { sessionId }).catch((err) => this.deps.log.error('closing a session on every node failed', { error: (err as Error).message }));
  }

  private closeLocalSession(sessionId: string): void {
    for (const c of this.clients) if (c.user.sessionId === sessionId) c.socket.close(CLOSE_LOGGED_OUT, 'logged out');
  }

  private drop(client: Client): void {
    this.clients.delete(client);
    for (const ch of client.channels) this.leave(client, ch);
  }

  /** A socket stops watching a channel; the last one on this node stops this node listening to it. */
  private leave(client: Client, channel: string): void {
    const set = this.subscribers.get(channel);
    if (!set) return;
    set.delete(client);
    if (set.size) return;
    this.subscribers.delete(channel);
    this.channelTopics.get(channel)?.();
    this.channelTopics.delete(channel);
  }

  private beat(): void {
    const slot = this.heartbeatTick++ % this.heartbeatSlots;
    for (const c of this.clients) {
      if ((c.slot ?? 0) !== slot) continue;
      if (!c.alive) {
        c.socket.terminate();
        this.drop(c);
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const off of this.busOff.splice(0)) off();
    for (const off of this.channelTopics.values()) off();
    this.channelTopics.clear();
    for (const c of this.clients) c.socket.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}
