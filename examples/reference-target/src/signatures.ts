import crypto from 'node:crypto';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the format of both callback and provider signatures. */
export function hmacSignature(rawBody: string | Buffer, secret: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export function signatureMatches(header: string | string[] | undefined, rawBody: string | Buffer, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(hmacSignature(rawBody, secret));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
