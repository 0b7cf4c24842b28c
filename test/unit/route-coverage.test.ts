// The route-coverage guard's parts: mount() reports every answer of a declared route (method, path
// template, status: handler, validation, auth and thrown errors alike), and uncovered() lists the
// OpenAPI operations never answered with a success status.
import { expect } from 'chai';
import express from 'express';
import type http from 'node:http';
import { defineRoutes, mount, openApiDocument } from '../../server/http/routes';
import { routeObserver, setRouteObserver } from '../../server/http/route-observer';
import { errorHandler } from '../../server/http/error-handler';
import { createLogger } from '../../server/http/log';
import { NotFoundError } from '../../server/http/errors';
import { operationKey, uncovered } from '../helpers/route-coverage';

describe('route coverage guard', () => {
  const defs = defineRoutes([
    { method: 'get', path: '/api/things/:id', tag: 't', summary: 'one', roles: 'public', params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] }, handler: ({ params }) => (params.id === 9 ? Promise.reject(new NotFoundError('no')) : { id: params.id }) },
    { method: 'post', path: '/api/things', tag: 't', summary: 'make', roles: ['admin'], body: { type: 'object', additionalProperties: false, properties: {} }, handler: () => ({}) },
    { method: 'delete', path: '/api/things/:id/parts/:sub', tag: 't', summary: 'gone', roles: 'public', handler: () => undefined },
    { method: 'get', path: '/api/never', tag: 't', summary: 'never', roles: 'public', handler: () => ({}) },
  ]);

  it('mount() reports the route template and status of every answer to the installed observer', async () => {
    const seen: string[] = [];
    const previous = routeObserver();
    setRouteObserver((m, p, s) => {
      seen.push(`${m} ${p} ${s}`);
      previous?.(m, p, s);
    });
    const app = express();
    const router = express.Router();
    mount(router, defs, { checkCsrf: () => {}, actorFor: () => ({ userId: null, role: 'public', requestId: null, ip: null, clock: { now: () => new Date() } }) as any });
    app.use(router);
    app.use(errorHandler(createLogger('silent')));
    let server: http.Server | undefined;
    try {
      await new Promise<void>((r) => (server = app.listen(0, '127.0.0.1', () => r())));
      const url = `http://127.0.0.1:${(server!.address() as { port: number }).port}`;
      for (const [method, path] of [['GET', '/api/things/3'], ['GET', '/api/things/9'], ['GET', '/api/things/x'], ['POST', '/api/things'], ['DELETE', '/api/things/3/parts/4']]) {
        await (await fetch(url + path, { method })).text();
      }
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      setRouteObserver(previous);
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    }
    expect(seen).to.deep.equal(['GET /api/things/:id 200', 'GET /api/things/:id 404', 'GET /api/things/:id 400', 'POST /api/things 401', 'DELETE /api/things/:id/parts/:sub 204']);
  });

  it('uncovered() lists the operations of the OpenAPI document without a 2xx/3xx answer, with what they got', () => {
    const doc = openApiDocument('test', defs) as { paths: Record<string, Record<string, unknown>> };
    const seen = new Map<string, Map<number, number>>([
      [operationKey('get', '/api/things/:id'), new Map([[404, 2], [200, 1]])],
      [operationKey('post', '/api/things'), new Map([[401, 1], [403, 3]])],
      [operationKey('delete', '/api/things/:id/parts/:sub'), new Map([[302, 1]])],
    ]);
    expect(operationKey('delete', '/api/things/:id/parts/:sub')).to.equal('DELETE /api/things/{id}/parts/{sub}');
    const r = uncovered(doc, seen);
    expect(r.total).to.equal(4);
    expect(r.missing).to.deep.equal([
      { operation: 'GET /api/never', statuses: 'never called' },
      { operation: 'POST /api/things', statuses: '401×1, 403×3' },
    ]);
  });
});
