import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The `prevHash` of a run's first record: sha256 of `tenancy-audit:genesis:<runId>`. */
export function genesisHash(runId: string): string {
  return sha256Hex(`tenancy-audit:genesis:${runId}`);
}
