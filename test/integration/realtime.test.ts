import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { WsClient } from '../helpers/ws';

describe(`realtime WebSocket hub (${TEST_DIALECT})`, () => {
  let s: TestServer;
  before(async () => (s = await startTestServer()));
  after(() => s.stop());

  it('refuses connections without a valid session cookie', async () => {
    let err: Error | null = null;
    try {
      await WsClient.connect(s.url, 'sp_sid=forged');
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/401/);
  });

  it('refuses a cross-site Origin even with a cookie', async () => {
    const c = await s.as('operator');
    let err: Error | null = null;
    try {
      await WsClient.connect(s.url, c.cookie, { origin: 'https://evil.example' });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/401/);
  });

  it('greets, answers pings, and lets a user join only their own channel', async () => {
    const c = await s.as('purchaser');
    const me = (await c.get('/api/me')).body.user;
    const ws = await WsClient.connect(s.url, c.cookie);
    const hello = await ws.next((m) => m.type === 'hello');
    expect(hello.user.username).to.equal('purchaser');
    ws.send({ type: 'ping', id: 7 });
    expect((await ws.next((m) => m.type === 'pong')).id).to.equal(7);
    ws.send({ type: 'subscribe', channel: `user:${me.id}` });
    await ws.next((m) => m.type === 'subscribed');
    ws.send({ type: 'subscribe', channel: `user:${me.id + 1}` });
    expect((await ws.next((m) => m.type === 'error')).code).to.equal('FORBIDDEN_CHANNEL');
    ws.send({ type: 'subscribe', channel: 'no-such-thing' });
    await ws.next((m) => m.type === 'error' && m.channel === 'no-such-thing');
    // Modules publish to channels; only subscribers receive.
    expect(s.platform.realtime.publish(`user:${me.id}`, { type: 'notice', text: 'hi' })).to.equal(1);
    expect((await ws.next((m) => m.type === 'notice')).text).to.equal('hi');
    ws.send({ type: 'unsubscribe', channel: `user:${me.id}` });
    await ws.next((m) => m.type === 'unsubscribed');
    expect(s.platform.realtime.publish(`user:${me.id}`, { type: 'notice' })).to.equal(0);
    ws.close();
  });

  it('answers malformed and unknown messages with an error, and stays open', async () => {
    const c = await s.as('finance');
    const ws = await WsClient.connect(s.url, c.cookie);
    ws.socket.send('not json');
    expect((await ws.next((m) => m.type === 'error')).code).to.equal('MALFORMED_MESSAGE');
    ws.send({ type: 'fly' });
    expect((await ws.next((m) => m.code === 'UNKNOWN_TYPE')).type).to.equal('error');
    ws.send({ type: 'ping' });
    await ws.next((m) => m.type === 'pong');
    ws.close();
  });

  it('closes the session\'s sockets on logout', async () => {
    const c = await s.as('supervisor');
    const ws = await WsClient.connect(s.url, c.cookie);
    await ws.next((m) => m.type === 'hello');
    const other = await s.as('supervisor'); // a second session of the same user stays open
    const ws2 = await WsClient.connect(s.url, other.cookie);
    await ws2.next((m) => m.type === 'hello');
    await c.post('/api/auth/logout');
    expect((await ws.waitClose()).code).to.equal(4001);
    ws2.send({ type: 'ping' });
    await ws2.next((m) => m.type === 'pong');
    ws2.close();
  });
});
