import crypto from 'node:crypto';
import type { WebhookConfig } from '../config/schema.ts';

/** The signature header value a receiver configured like `signature` expects for `body`. */
export function hmacHeader(signature: { algorithm: 'sha256' | 'sha512'; prefix: string }, secret: string, body: string): string {
  return `${signature.prefix}${crypto.createHmac(signature.algorithm, secret).update(body).digest('hex')}`;
}

/** Constant-time check of a received signature header. */
export function hmacMatches(signature: { algorithm: 'sha256' | 'sha512'; prefix: string }, secret: string, body: string, received: string | undefined): boolean {
  if (received === undefined) return false;
  const expected = Buffer.from(hmacHeader(signature, secret, body));
  const actual = Buffer.from(received);
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}

/**
 * The forged inbound webhooks {@link forgeWebhook} can build: signed with the wrong secret, unsigned, validly signed
 * but naming another tenant (in the configured `tenantField`), or validly signed about a job that does not exist.
 */
export const WEBHOOK_FORGERIES = ['bad-signature', 'missing-signature', 'tenant-mismatch', 'unknown-job'] as const;
/** One kind of forged webhook (see {@link WEBHOOK_FORGERIES}). */
export type WebhookForgery = (typeof WEBHOOK_FORGERIES)[number];

export interface ForgedWebhook {
  body: string;
  headers: Record<string, string>;
}

/** Builds one forged inbound webhook about `jobId` (owned by `owner`), per the configured body and signature. */
export function forgeWebhook(
  hook: WebhookConfig,
  forgery: WebhookForgery,
  parts: { jobId: string; owner: string; other: string; marker: string },
  render: (template: unknown, vars: Record<string, string>) => unknown,
): ForgedWebhook {
  const jobId = forgery === 'unknown-job' ? crypto.randomUUID() : parts.jobId;
  const payload = render(hook.body ?? {}, { jobId, marker: parts.marker, tenant: parts.owner }) as Record<string, unknown>;
  if (forgery === 'tenant-mismatch' && hook.tenantField) payload[hook.tenantField] = parts.other;
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (hook.signature.secret === undefined) throw new Error(`webhook ${hook.id}: no signing secret configured, so it cannot be forged`);
  if (forgery === 'bad-signature') headers[hook.signature.header] = hmacHeader(hook.signature, `${hook.signature.secret}-not-the-secret`, body);
  else if (forgery !== 'missing-signature') headers[hook.signature.header] = hmacHeader(hook.signature, hook.signature.secret, body);
  return { body, headers };
}

/**
 * The legit inbound webhook about `jobId`: the configured body, correctly signed with the configured secret. It is
 * the positive control of every forged one: a target that does not accept it (wrong path, wrong secret, a secret
 * read with a stray newline) would reject forgeries for the wrong reason.
 */
export function legitWebhook(
  hook: WebhookConfig,
  parts: { jobId: string; owner: string; marker: string },
  render: (template: unknown, vars: Record<string, string>) => unknown,
): ForgedWebhook {
  if (hook.signature.secret === undefined) throw new Error(`webhook ${hook.id}: no signing secret configured, so no legit webhook can be signed`);
  const body = JSON.stringify(render(hook.body ?? {}, { jobId: parts.jobId, marker: parts.marker, tenant: parts.owner }));
  return { body, headers: { 'content-type': 'application/json', [hook.signature.header]: hmacHeader(hook.signature, hook.signature.secret, body) } };
}
