import crypto from 'node:crypto';
import type pg from 'pg';
import { HttpError } from './errors.ts';
import type { StoredIdempotentResponse } from './system-db.ts';

/** An `Idempotency-Key` request: the key plus what must match for a replay. */
export interface IdempotentRequest {
  key: string;
  method: string;
  path: string;
  hash: string;
}

export interface CommandResult {
  status: number;
  body: unknown;
  /** True when the stored response of an earlier request with the same key was returned. */
  replayed: boolean;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** Reads the `Idempotency-Key` header (absent → undefined) and fingerprints the request. */
export function idempotentRequest(header: string | string[] | undefined, method: string, path: string, body: unknown): IdempotentRequest | undefined {
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header.join(',') : header;
  if (!KEY.test(key)) throw new HttpError(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1-255 visible ASCII characters');
  const hash = crypto.createHash('sha256').update(`${method} ${path}\n${canonicalJson(body)}`).digest('hex');
  return { key, method, path, hash };
}

export async function findStoredResponse(db: pg.ClientBase, tenant: string, key: string): Promise<StoredIdempotentResponse | null> {
  const { rows } = await db.query<StoredIdempotentResponse>(
    `SELECT tenant_id, method, path, request_hash, response_status, response_body FROM idempotency_keys
      WHERE tenant_id = $1 AND key = $2`,
    [tenant, key],
  );
  return rows[0] ?? null;
}

/** A stored response for the same key: replay it if the request is the same one, else 422. */
export function replay(stored: StoredIdempotentResponse, request: IdempotentRequest): CommandResult {
  if (stored.method !== request.method || stored.path !== request.path || stored.request_hash !== request.hash) {
    throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
  }
  return { status: stored.response_status, body: stored.response_body, replayed: true };
}

export async function storeResponse(db: pg.ClientBase, tenant: string, request: IdempotentRequest, status: number, body: unknown): Promise<void> {
  try {
    await db.query(
      `INSERT INTO idempotency_keys (tenant_id, key, method, path, request_hash, response_status, response_body)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [tenant, request.key, request.method, request.path, request.hash, status, JSON.stringify(body)],
    );
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new HttpError(409, 'IDEMPOTENCY_CONFLICT', 'a request with this Idempotency-Key is already in progress');
    }
    throw error;
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
