import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { TenancyAuditError } from '../core/errors.ts';
import type { RunManifest } from '../core/types.ts';
import { canonicalJson } from '../core/canonical.ts';
import { MANIFEST_FILE } from './files.ts';
import { loadSigningKey } from './keys.ts';
import type { KeySpec, SigningKey } from './keys.ts';
import { createRedactor } from './redact.ts';
import type { Redactor } from './redact.ts';

export interface WriteManifestOptions {
  /** Applied to `config` and `command` before writing (a safety net: the config layer redacts first). Default: JWT shapes and sensitive keys. */
  redactor?: Redactor;
  /** Private key (path or literal PEM/JWK, JWK object, KeyObject, or a loaded {@link SigningKey}); the JWS alg is detected from it. */
  signKey?: KeySpec | SigningKey;
}

export interface WrittenManifest {
  path: string;
  manifest: RunManifest;
  /** RFC 7638 thumbprint of the signer's public key, when signed: print it so verifiers can match their key. */
  thumbprint?: string;
}

/** The bytes a manifest signature covers: canonical JSON of the manifest without `signature`. */
export function manifestPayload(manifest: Omit<RunManifest, 'signature'> | RunManifest): string {
  const { signature: _ignored, ...rest } = manifest as RunManifest;
  return canonicalJson(rest);
}

/**
 * Writes `<dir>/manifest.json` (pretty-printed, keys in canonical order, written atomically), with `config`
 * and `command` passed through the redactor once more.
 * With `signKey`, signs {@link manifestPayload} as a compact JWS (`{alg, kid}` protected header).
 */
export async function writeManifest(
  dir: string,
  manifest: Omit<RunManifest, 'signature'>,
  options: WriteManifestOptions = {},
): Promise<WrittenManifest> {
  const redactor = options.redactor ?? createRedactor([]);
  const unsigned = JSON.parse(
    manifestPayload({ ...manifest, config: redactor.value(manifest.config), command: redactor.text(manifest.command ?? '') }),
  ) as Omit<RunManifest, 'signature'>;
  let result: RunManifest = unsigned;
  let thumbprint: string | undefined;
  if (options.signKey !== undefined) {
    const key = await loadSigningKey(options.signKey);
    const jws = await new CompactSign(new TextEncoder().encode(manifestPayload(unsigned)))
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .sign(key.privateKey);
    thumbprint = key.thumbprint;
    result = { ...unsigned, signature: { alg: key.alg, kid: key.kid, thumbprint, jws } };
  }
  const path = join(dir, MANIFEST_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(JSON.parse(canonicalJson(result)), null, 2)}\n`, 'utf8');
  await rename(tmp, path);
  return thumbprint === undefined ? { path, manifest: result } : { path, manifest: result, thumbprint };
}

/** Reads `<dir>/manifest.json`; `null` when there is none (a killed run). Throws `TA_EVIDENCE_INVALID` when it is not a manifest. */
export async function readManifest(dir: string): Promise<RunManifest | null> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw cause;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new TenancyAuditError('TA_EVIDENCE_INVALID', `${path} is not valid JSON`, { cause });
  }
  const m = parsed as Partial<RunManifest> | null;
  if (m === null || typeof m !== 'object' || m.v !== 1 || typeof m.runId !== 'string' || typeof m.headHash !== 'string' || typeof m.counts !== 'object') {
    throw new TenancyAuditError('TA_EVIDENCE_INVALID', `${path} is not a tenancy-audit run manifest (v, runId, counts, headHash)`);
  }
  return m as RunManifest;
}
