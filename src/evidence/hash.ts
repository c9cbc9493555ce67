import { sha256Hex } from '../core/canonical.ts';

export { sha256Hex };

/** The `prevHash` of a run's first record: sha256 of `tenancy-audit:genesis:<runId>`. */
export function genesisHash(runId: string): string {
  return sha256Hex(`tenancy-audit:genesis:${runId}`);
}
