import crypto from 'node:crypto';

export { canonicalJson, canonicalMembers } from './canonical-json.ts';

/** Lower-case hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
