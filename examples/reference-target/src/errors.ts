/** An error that maps to an HTTP response `{error:{code,message}}`. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const BEARER_CHALLENGE = 'Bearer realm="reference-target"';

/** 401 for a request that carries a credential which is not acceptable. */
export class UnauthenticatedError extends HttpError {
  constructor(code: string, message: string) {
    super(401, code, message, { 'WWW-Authenticate': `${BEARER_CHALLENGE}, error="invalid_token"` });
  }
}

/**
 * 401 for a request that carries no usable credential at all: no Authorization header, not a bearer,
 * an empty bearer, or a bearer that is not even a JWS (garbage). Distinct class because two seeded
 * bugs treat exactly this case differently.
 */
export class NoIdentityError extends HttpError {
  constructor(code: string, message: string) {
    super(401, code, message, { 'WWW-Authenticate': BEARER_CHALLENGE });
  }
}

export class ForbiddenError extends HttpError {
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}

export class NotFoundError extends HttpError {
  constructor(what = 'resource') {
    super(404, 'NOT_FOUND', `${what} not found`);
  }
}

export class ValidationError extends HttpError {
  constructor(message: string) {
    super(400, 'VALIDATION_FAILED', message);
  }
}
