// The edge: every error becomes {error:{code,message,details}} with the right status.
import type { NextFunction, Request, Response } from 'express';
import { AppError, ConflictError, NotFoundError, RuleError } from './errors';
import { constraintViolation, type ConstraintViolation } from '../db/errors';
import { isDbUnavailable } from '../db/faults';
import type { Logger } from './log';

export function errorHandler(log: Logger) {
  // express recognises error middleware by its four parameters
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const requestId = (req as Request & { id?: string }).id;
    let status = 500;
    let body: { code: string; message: string; details: unknown };
    const e = err as { type?: string; status?: number; message?: string };
    let violation: ConstraintViolation | null;
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
    } else if ((violation = constraintViolation(err))) {
      // A constraint the database enforced where no domain check caught it first: the request
      // was well formed, so it is the caller's conflict or broken rule, never a server error.
      const mapped = constraintError(violation);
      status = mapped.status;
      body = { code: mapped.code, message: mapped.message, details: mapped.details };
      log.warn('constraint violation', { requestId, m: req.method, path: req.path, ...violation });
    } else if (isDbUnavailable(err)) {
      // The database cannot serve now (down, cut, stalled, a lock held past its limit): nothing
      // was written (the transaction rolled back), so the caller may retry.
      status = 503;
      res.setHeader('Retry-After', '2');
      body = { code: 'SERVICE_UNAVAILABLE', message: 'The database cannot take requests right now; nothing was saved. Try again shortly.', details: { retryAfterSec: 2, requestId } };
      log.warn('database unavailable', { requestId, m: req.method, path: req.path, code: (err as { code?: string })?.code ?? null });
    } else {
      log.error('unhandled error', { requestId, path: req.path, error: (err as Error)?.stack ?? String(err) });
      body = { code: 'INTERNAL', message: 'Internal server error', details: { requestId } };
    }
    if (res.headersSent) return;
    res.status(status).json({ error: body });
  };
}

/**
 * The typed error for a broken database constraint: a missing referenced row 404, a row still
 * referenced or a duplicate 409, a missing, invalid, too long or out-of-range value 422.
 * Details: {violation: kind, table?, column?, constraint?, references?}, never the values.
 */
export function constraintError(v: ConstraintViolation): AppError {
  const { kind, ...where } = v;
  const details = { violation: kind, ...where };
  switch (kind) {
    case 'foreign_key_missing':
      return new NotFoundError(`A referenced record does not exist${v.references ? ` (${v.references})` : ''}`, details, 'REFERENCED_RECORD_NOT_FOUND');
    case 'foreign_key_referenced':
      return new ConflictError('RECORD_IN_USE', 'The record is still referenced by other records', details);
    case 'unique':
      return new ConflictError('DUPLICATE', 'A record with the same unique value already exists', details);
    case 'not_null':
      return new RuleError('VALUE_REQUIRED', `A required value is missing${v.column ? ` (${v.column})` : ''}`, details);
    case 'check':
      return new RuleError('CONSTRAINT_VIOLATED', 'A value breaks a rule of the data', details);
    case 'too_long':
      return new RuleError('VALUE_TOO_LONG', `A value is too long${v.column ? ` for ${v.column}` : ''}`, details);
    case 'out_of_range':
      return new RuleError('VALUE_OUT_OF_RANGE', `A value is out of range${v.column ? ` for ${v.column}` : ''}`, details);
    case 'invalid_value':
      return new RuleError('INVALID_VALUE', `A value cannot be stored${v.column ? ` in ${v.column}` : ''}`, details);
  }
}
