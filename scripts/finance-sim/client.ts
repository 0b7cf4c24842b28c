// The finance bureau's side of the link, as a small client: signs every request with the shared
// secret, and answers the platform's webhook (verifying its signature). Used by the finance-sim
// CLI for demos and by the tests.
import http from 'node:http';
import crypto from 'node:crypto';
import { sign, signedHeaders, verify } from '../../server/core/finance/signature';

export interface PaymentRequestEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  data: { ref: string; amountFen: number; budgetLineCode: string; supplierName: string; [k: string]: unknown };
}

export class FinanceClient {
  constructor(
    public baseUrl: string,
    private secret: string,
    private now: () => Date = () => new Date(),
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, requestId: string = crypto.randomUUID()): Promise<{ status: number; body: T; replayed: boolean }> {
    const payload = body ?? {};
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { 'content-type': 'application/json', ...signedHeaders(this.secret, requestId, payload, this.now()) },
      body: method === 'GET' ? undefined : JSON.stringify(payload),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, replayed: res.headers.get('idempotent-replayed') === 'true' };
  }

  pushAllocations(fiscalYear: number, allocations: Array<{ budgetLineCode: string; orgCode: string; name: string; economicClass: string; allocatedFen: number }>, requestId?: string) {
    return this.call('POST', '/api/finance/v1/budget-allocations', { fiscalYear, allocations }, requestId);
  }

  paymentRequests(query = '') {
    return this.call('GET', `/api/finance/v1/payment-requests${query ? '?' + query : ''}`);
  }

  setStatus(ref: string, body: { status: 'accepted' | 'paid' | 'rejected'; treasuryRef?: string; reason?: string }, requestId?: string) {
    return this.call('POST', `/api/finance/v1/payment-requests/${encodeURIComponent(ref)}/status`, body, requestId);
  }

  registerWebhook(url: string) {
    return this.call('PUT', '/api/finance/v1/webhook', { url });
  }

  /** Signature check for a webhook delivery (exported for the receiver). */
  verifyDelivery(headers: http.IncomingHttpHeaders, body: unknown): boolean {
    return verify(this.secret, headers, body, this.now()) === null;
  }
}

/**
 * A webhook receiver: verifies each delivery, passes the event to `onEvent`, answers 2xx when
 * it succeeds. `failFirst` makes it answer 503 that many times (to show the outbox retrying).
 */
export function startWebhookReceiver(client: FinanceClient, opts: { port?: number; failFirst?: number; onEvent: (e: PaymentRequestEvent) => Promise<void> | void }) {
  let failures = opts.failFirst ?? 0;
  const received: PaymentRequestEvent[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      try {
        const body = JSON.parse(raw);
        if (!client.verifyDelivery(req.headers, body)) {
          res.writeHead(401).end('bad signature');
          return;
        }
        if (failures > 0) {
          failures--;
          res.writeHead(503).end('finance system busy');
          return;
        }
        received.push(body);
        res.writeHead(204).end();
        // Acknowledge first, then work: the platform's delivery is done once we have it.
        await opts.onEvent(body);
      } catch (e) {
        if (!res.headersSent) res.writeHead(400).end(String((e as Error).message));
      }
    });
  });
  return new Promise<{ url: string; received: PaymentRequestEvent[]; close: () => Promise<void> }>((resolve) => {
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({ url: `http://127.0.0.1:${port}/finance-webhook`, received, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

export { sign };
