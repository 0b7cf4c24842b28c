// Typed domain errors, thrown anywhere, mapped to HTTP once at the edge (errorHandler).
export class AppError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: unknown = null,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is malformed (schema, syntax). */
export class ValidationError extends AppError {
  constructor(message: string, details: unknown = null, code = 'VALIDATION_FAILED') {
    super(400, code, message, details);
  }
}
/** 401: no valid session. */
export class UnauthenticatedError extends AppError {
  constructor(message = 'Login required', code = 'UNAUTHENTICATED') {
    super(401, code, message);
  }
}
/** 403: authenticated, but the role (or ownership) does not allow it. */
export class ForbiddenError extends AppError {
  constructor(message = 'Your role does not allow this', details: unknown = null, code = 'FORBIDDEN') {
    super(403, code, message, details);
  }
}
export class NotFoundError extends AppError {
  constructor(message: string, details: unknown = null, code = 'NOT_FOUND') {
    super(404, code, message, details);
  }
}
/** 409: the entity is not in a state that allows this step (or a unique clash). */
export class ConflictError extends AppError {
  constructor(code: string, message: string, details: unknown = null) {
    super(409, code, message, details);
  }
}
/** 422: well-formed, state is right, but a business rule forbids it. */
export class RuleError extends AppError {
  constructor(code: string, message: string, details: unknown = null) {
    super(422, code, message, details);
  }
}
export class TooManyRequestsError extends AppError {
  constructor(message: string, retryAfterSec: number) {
    super(429, 'RATE_LIMITED', message, { retryAfterSec });
  }
}
