import { ValidationError } from './errors.ts';
import { isObject } from './tenant-assertions.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids that are not uuids are treated as unknown (404) and never reach the database. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function bodyObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw new ValidationError('the request body must be a JSON object');
  return body;
}

export function requiredText(body: Record<string, unknown>, field: string, maxLength: number): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`"${field}" must be a non-empty string`);
  if (value.length > maxLength) throw new ValidationError(`"${field}" must be at most ${maxLength} characters`);
  return value;
}

/** `undefined` when absent; `null` only where `nullable`. */
export function optionalText(body: Record<string, unknown>, field: string, maxLength: number, nullable = false): string | null | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (value === null && nullable) return null;
  if (typeof value !== 'string') throw new ValidationError(`"${field}" must be a string${nullable ? ' or null' : ''}`);
  if (value.length > maxLength) throw new ValidationError(`"${field}" must be at most ${maxLength} characters`);
  return value;
}

/** Outbound callbacks: absolute http(s) URLs only (loopback is allowed for this test service). */
export function callbackUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048) throw new ValidationError('"callbackUrl" must be an http(s) URL');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError('"callbackUrl" must be an absolute http(s) URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw new ValidationError('"callbackUrl" must be an http(s) URL without credentials');
  }
  return url.toString();
}
