// Route registry: every route declares its roles and its schemas in one place. The same
// declarations mount the express handlers, validate every body and query, and build OpenAPI.
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { ValidateFunction } from 'ajv';
import { ajv, ajvQuery } from './ajv';
import { ForbiddenError, UnauthenticatedError, ValidationError } from './errors';
import type { Actor, Role } from './actor';
import type { SessionUser } from './auth/sessions';
import { routeObserver } from './route-observer';

export type JsonSchema = Record<string, unknown>;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteCtx<B = any, Q = any, P = any> {
  req: Request;
  res: Response;
  body: B;
  query: Q;
  params: P;
  user: SessionUser | null;
  actor: Actor;
}

export interface RouteDef<B = any, Q = any, P = any> {
  method: Method;
  path: string; // express syntax, '/api/things/:id'
  tag: string;
  summary: string;
  /** 'public' = no login; 'authenticated' = any role; otherwise one of the listed roles. */
  roles: readonly Role[] | 'public' | 'authenticated';
  body?: JsonSchema;
  query?: JsonSchema;
  params?: JsonSchema;
  response?: JsonSchema;
  status?: number;
  /** Cookie-authenticated writes need the CSRF header; machine APIs (HMAC-signed) opt out. */
  csrf?: boolean;
  /** A JSON body larger than the default (DEFAULT_BODY_LIMIT), e.g. a sealed bid with its files. */
  bodyLimit?: string;
  handler: (ctx: RouteCtx<B, Q, P>) => Promise<unknown> | unknown;
}

const EMPTY_OBJECT = { type: 'object', additionalProperties: false, maxProperties: 0 };
export function defineRoutes(defs: RouteDef[]): RouteDef[] {
  return defs;
}

function compile(schema: JsonSchema | undefined, fallback: JsonSchema, query = false): ValidateFunction {
  return (query ? ajvQuery : ajv).compile(schema ?? fallback);
}

function schemaErrors(v: ValidateFunction, where: string) {
  return (v.errors ?? []).map((e) => ({
    in: where,
    path: e.instancePath || '/',
    message: e.message,
    ...(e.params && Object.keys(e.params).length ? { params: e.params } : {}),
  }));
}

export function pickRole(user: SessionUser, roles: RouteDef['roles']): Role {
  if (roles === 'public' || roles === 'authenticated') return user.roles[0];
  const r = user.roles.find((x) => roles.includes(x));
  if (!r) throw new ForbiddenError(`This action needs one of the roles: ${roles.join(', ')}`, { required: roles, have: user.roles });
  return r;
}

export const DEFAULT_BODY_LIMIT = '1mb';
const defaultJson = express.json({ limit: DEFAULT_BODY_LIMIT, strict: true });

export function mount(router: Router, defs: RouteDef[], deps: { checkCsrf: (req: Request) => void; actorFor: (req: Request, role: string) => Actor }): void {
  for (const def of defs) {
    const vBody = def.method === 'get' ? null : compile(def.body, EMPTY_OBJECT);
    const vQuery = compile(def.query, { type: 'object', additionalProperties: false }, true);
    const vParams = compile(def.params, { type: 'object' }, true);
    // Each route reads its own body, so one route can take a large upload while the rest keep the
    // small default; a large body is only read once the caller is known to be logged in.
    const parsers: RequestHandler[] = [];
    // Reports the answer of this route (whatever answered it: handler, validation or error handler).
    parsers.push((_req, res, next) => {
      const observe = routeObserver();
      if (observe) res.once('finish', () => observe(def.method.toUpperCase(), def.path, res.statusCode));
      next();
    });
    if (def.method !== 'get') {
      if (def.bodyLimit && def.roles !== 'public') {
        parsers.push((req, _res, next) => next((req as Request & { user?: SessionUser | null }).user ? undefined : new UnauthenticatedError()));
      }
      parsers.push(def.bodyLimit ? express.json({ limit: def.bodyLimit, strict: true }) : defaultJson);
    }
    router[def.method](def.path, ...parsers, async (req: Request, res: Response) => {
      const user = (req as Request & { user?: SessionUser | null }).user ?? null;
      let role = 'public';
      if (def.roles !== 'public') {
        if (!user) throw new UnauthenticatedError();
        role = pickRole(user, def.roles);
      } else if (user) role = user.roles[0];
      const isWrite = def.method !== 'get';
      if (isWrite && user && def.csrf !== false && def.roles !== 'public') deps.checkCsrf(req);
      const params = { ...req.params };
      if (!vParams(params)) throw new ValidationError('Invalid path parameters', schemaErrors(vParams, 'path'));
      const query = { ...(req.query as Record<string, unknown>) };
      if (!vQuery(query)) throw new ValidationError('Invalid query parameters', schemaErrors(vQuery, 'query'));
      let body: unknown = undefined;
      if (vBody) {
        body = req.body === undefined ? {} : req.body;
        if (!vBody(body)) throw new ValidationError('Invalid request body', schemaErrors(vBody, 'body'));
      }
      const actor = deps.actorFor(req, role);
      const result = await def.handler({ req, res, body, query, params, user, actor });
      if (res.headersSent) return;
      if (result === undefined) res.status(def.status ?? 204).end();
      else res.status(def.status ?? (def.method === 'post' ? 201 : 200)).json(result);
    });
  }
}

const ERROR_SCHEMA = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} }, required: ['code', 'message'] } },
};

/** OpenAPI 3.1 document built from the very schemas that validate requests. */
export function openApiDocument(version: string, registry: readonly RouteDef[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const def of registry) {
    const p = def.path.replace(/:(\w+)/g, '{$1}');
    const params: unknown[] = [];
    for (const m of def.path.matchAll(/:(\w+)/g)) {
      const ps = (def.params as { properties?: Record<string, unknown> } | undefined)?.properties?.[m[1]] ?? { type: 'string' };
      params.push({ name: m[1], in: 'path', required: true, schema: ps });
    }
    const q = def.query as { properties?: Record<string, unknown>; required?: string[] } | undefined;
    for (const [name, schema] of Object.entries(q?.properties ?? {})) {
      params.push({ name, in: 'query', required: q?.required?.includes(name) ?? false, schema });
    }
    const responses: Record<string, unknown> = {
      [String(def.status ?? (def.method === 'post' ? 201 : 200))]: {
        description: 'Success',
        ...(def.response ? { content: { 'application/json': { schema: def.response } } } : {}),
      },
      default: { description: 'Error', content: { 'application/json': { schema: ERROR_SCHEMA } } },
    };
    (paths[p] ??= {})[def.method] = {
      tags: [def.tag],
      summary: def.summary,
      'x-roles': def.roles,
      parameters: params,
      ...(def.body ? { requestBody: { required: true, content: { 'application/json': { schema: def.body } } } } : {}),
      responses,
      ...(def.roles === 'public' ? { security: [] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Sunshine Procurement API', version, description: 'Electronic government procurement platform. Errors: {error:{code,message,details}}.' },
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'sp_sid' } } },
    security: [{ session: [] }],
    paths,
  };
}

