// The live connection: reconnects with backoff, re-subscribes, and reports its status.
export type WsStatus = 'connecting' | 'online' | 'offline';
type Handler = (msg: any) => void;

export class Live {
  private socket: WebSocket | null = null;
  private channels = new Set<string>();
  private handlers = new Set<Handler>();
  private statusListeners = new Set<(s: WsStatus) => void>();
  private retry = 0;
  private stopped = false;
  status: WsStatus = 'connecting';

  connect(): void {
    this.stopped = false;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    this.setStatus('connecting');
    const s = new WebSocket(url);
    this.socket = s;
    s.onopen = () => {
      this.retry = 0;
      this.setStatus('online');
      for (const ch of this.channels) s.send(JSON.stringify({ type: 'subscribe', channel: ch }));
    };
    s.onmessage = (ev) => {
      let msg: any;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      this.handlers.forEach((h) => h(msg));
    };
    s.onclose = (ev) => {
      this.setStatus('offline');
      if (this.stopped || ev.code === 4001) return; // 4001: logged out
      const delay = Math.min(15000, 500 * 2 ** this.retry++);
      setTimeout(() => !this.stopped && this.connect(), delay);
    };
  }

  close(): void {
    this.stopped = true;
    this.socket?.close();
  }

  subscribe(channel: string): void {
    this.channels.add(channel);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'subscribe', channel }));
  }

  unsubscribe(channel: string): void {
    this.channels.delete(channel);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'unsubscribe', channel }));
  }

  send(msg: unknown): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(msg));
    return true;
  }

  onMessage(h: Handler): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }

  onStatus(fn: (s: WsStatus) => void): () => void {
    this.statusListeners.add(fn);
    fn(this.status);
    return () => this.statusListeners.delete(fn);
  }

  private setStatus(s: WsStatus): void {
    this.status = s;
    this.statusListeners.forEach((fn) => fn(s));
  }
}
