// The edge: every error becomes {error:{code,message,details}} with the right status.
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './errors';
import { isUniqueViolation } from '../db/errors';
import type { Logger } from './log';

export function errorHandler(log: Logger) {
  // express recognises error middleware by its four parameters
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const requestId = (req as Request & { id?: string }).id;
    let status = 500;
    let body: { code: string; message: string; details: unknown };
    const e = err as { type?: string; status?: number; message?: string };
    if (err instanceof AppError) {
      status = err.status;
      body = { code: err.code, message: err.message, details: err.details };
      if (err.status === 429 && (err.details as { retryAfterSec?: number })?.retryAfterSec) res.setHeader('Retry-After', String((err.details as { retryAfterSec: number }).retryAfterSec));
    } else if (e?.type === 'entity.parse.failed') {
      status = 400;
      body = { code: 'MALFORMED_JSON', message: 'The request body is not valid JSON', details: null };
    } else if (e?.type === 'entity.too.large') {
      status = 413;
      body = { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large', details: null };
    } else if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
      status = 415;
      body = { code: 'UNSUPPORTED_ENCODING', message: 'Unsupported request encoding', details: null };
    } else if (isUniqueViolation(err)) {
      status = 409;
      body = { code: 'DUPLICATE', message: 'A record with the same unique value already exists', details: null };
    } else {
      log.error('unhandled error', { requestId, path: req.path, error: (err as Error)?.stack ?? String(err) });
      body = { code: 'INTERNAL', message: 'Internal server error', details: { requestId } };
    }
    if (res.headersSent) return;
    res.status(status).json({ error: body });
  };
}
