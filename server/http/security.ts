// Security headers and request ids, applied to every response.
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { parseCookies, SESSION_COOKIE } from './auth/sessions';

export function securityHeaders(opts: { hsts: boolean }) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (opts.hsts) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    // An answer to a signed-in caller (the session cookie or a signed machine call) and every
    // answer to a write (the login hands out the CSRF token) is never kept by a browser or proxy.
    if (req.path.startsWith('/api/') && (req.method !== 'GET' || parseCookies(req.headers.cookie)[SESSION_COOKIE] || req.headers['x-finance-signature'])) res.setHeader('Cache-Control', 'no-store');
    res.removeHeader('X-Powered-By');
    next();
  };
}

const REQUEST_ID = /^[A-Za-z0-9_.-]{8,64}$/;

export function requestId() {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.header('x-request-id');
    const id = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    (req as Request & { id: string }).id = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}
