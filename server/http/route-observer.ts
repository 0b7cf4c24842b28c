// An optional, process-wide observer of answered API routes: mount() reports (method, route
// path template, status) of every response of a declared route to it. Tests install one to
// check that every OpenAPI operation is exercised (test/helpers/route-coverage.ts); nothing
// installs one in production, where reporting costs one property read per request.
// Kept on globalThis so a second copy of this module (tsx loading it as CJS and as ESM) sees it.
export type RouteObserver = (method: string, path: string, status: number) => void;

const KEY = Symbol.for('sunshine-procurement.routeObserver');
type Holder = { [KEY]?: RouteObserver | null };

export function setRouteObserver(fn: RouteObserver | null): void {
  (globalThis as Holder)[KEY] = fn;
}

export function routeObserver(): RouteObserver | null {
  return (globalThis as Holder)[KEY] ?? null;
}
