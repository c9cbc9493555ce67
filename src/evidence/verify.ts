import { stat } from 'node:fs/promises';
import { compactVerify } from 'jose';
import { TenancyAuditError } from '../core/errors.ts';
import type { EvidenceKind, EvidenceRecord, RunManifest } from '../core/types.ts';
import type { Verdict } from '../core/verdict.ts';
import { canonicalJson } from '../core/canonical.ts';
import { checkDelivered } from './delivered.ts';
import { resolveRunFolder } from './files.ts';
import { genesisHash, sha256Hex } from './hash.ts';
import { loadVerificationKey } from './keys.ts';
import type { KeySpec, VerificationKey } from './keys.ts';
import { manifestPayload, readManifest } from './manifest.ts';
import { scanEvidence } from './reader.ts';

export type SignatureStatus = 'valid' | 'invalid' | 'unsigned' | 'not-checked';

/** The first record that breaks the chain: its seq (the one found, or the one expected there) and 1-based line. */
export interface BadRecord {
  seq: number;
  line: number;
  reason: string;
}

/**
 * What {@link verifyRun} found. Check `ok`; `firstBadRecord` and `problems` say what broke, `warnings` what a
 * reader must still know (an incomplete run, a signature that was not checked).
 */
export interface VerifyResult {
  /** Chain, counts, hashes and manifest hold, and the signature is not invalid (and valid when a key was given). */
  ok: boolean;
  dir: string;
  /** Complete records read from `evidence.jsonl`. */
  records: number;
  firstBadRecord?: BadRecord;
  problems: string[];
  /** Things that do not break integrity but a reader must know (incomplete run, signature not checked). */
  warnings: string[];
  /**
   * `valid`: checked against the key given. `invalid`: it does not verify, or covers other content.
   * `unsigned`: the manifest has none. `not-checked`: signed, but no key was given — a signature checked only
   * against a key shipped inside the run folder proves nothing, so none is used implicitly.
   */
  signature: SignatureStatus;
  /** Thumbprint of the signer key the manifest claims (or of the key given, when checked). */
  thumbprint?: string;
  manifest: 'present' | 'missing';
  complete: boolean;
  truncatedTail: boolean;
  /** Hash of the last complete record and sha256 of the evidence file, as recomputed. */
  headHash: string;
  evidenceSha256: string;
  /** Rendered files (listed in `delivered.json`) whose sha256 was checked; `verifyRun` only. */
  delivered?: string[];
}

/** Options of {@link verifyRun}; without `publicKey` a signed manifest's signature is reported `not-checked`. */
export interface VerifyOptions {
  /** Public key to check the manifest signature with (path or literal JWK/PEM, JWK object, KeyObject). */
  publicKey?: KeySpec | VerificationKey;
}

const MAX_LISTED = 20;

/**
 * Recomputes a run folder's evidence chain from genesis (every record hash, `prevHash` link and `seq`),
 * checks the manifest's counts, head hash and evidence sha256, and the manifest signature when a key is given.
 * Works on incomplete runs: without a manifest the chain alone is checked and the result is not ok.
 * `dir` may also be a folder holding exactly one run folder (see `resolveRunFolder`).
 *
 * @example
 * const r = await verifyRun('reports/run-1', { publicKey: 'signer.pub.jwk' });
 * if (!r.ok) console.error(r.firstBadRecord ?? r.problems);
 */
export async function verifyRun(dir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const result = await verifyRunCollecting(dir, options);
  // Everything delivered from the evidence too: a report edited after rendering fails, named.
  const delivered = await checkDelivered(result.dir, result.headHash);
  result.delivered = delivered.checked;
  if (delivered.problems.length > 0) {
    result.problems.push(...delivered.problems);
    result.ok = false;
  }
  return result;
}

/**
 * @internal {@link verifyRun} that also hands each complete record to `onRecord` (with its line), so a
 * report can verify and aggregate in one pass over the file.
 */
export async function verifyRunCollecting(folder: string, options: VerifyOptions, onRecord?: (record: EvidenceRecord, line: number) => void): Promise<VerifyResult> {
  const dir = await resolveRunFolder(folder);
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (cause) {
    throw new TenancyAuditError('TA_USAGE', `Run folder ${dir} not found`, { hint: 'Pass the folder a run wrote (it holds evidence.jsonl).', cause });
  }
  const key = options.publicKey === undefined ? undefined : await loadVerificationKey(options.publicKey);
  const manifest = await readManifest(dir);
  const problems: string[] = [];
  const warnings: string[] = [];
  let firstBadRecord: BadRecord | undefined;
  let badCount = 0;
  const flag = (bad: BadRecord): void => {
    firstBadRecord ??= bad;
    badCount += 1;
    if (badCount <= MAX_LISTED) problems.push(`record seq ${bad.seq} (line ${bad.line}): ${bad.reason}`);
  };

  let runId = manifest?.runId;
  let expectedSeq = 1;
  let prev: string | null = null;
  let count = 0;
  let head = '';
  let truncatedTail = false;
  const byKind: Partial<Record<EvidenceKind, number>> = {};
  const byVerdict: Partial<Record<Verdict, number>> = {};

  const scan = await scanEvidence(dir, ({ line, record, error, raw, tail }) => {
    if (!record) {
      if (tail) {
        truncatedTail = true;
        problems.push(`line ${line}: truncated tail (${Buffer.byteLength(raw)} bytes of an incomplete record)`);
        return;
      }
      flag({ seq: expectedSeq, line, reason: `${error ?? 'unreadable'}: the line was edited or corrupted` });
      expectedSeq += 1;
      prev = null;
      return;
    }
    onRecord?.(record, line);
    if (runId === undefined) runId = record.runId;
    if (prev === null && count === 0 && expectedSeq === 1) prev = manifest?.genesisHash ?? genesisHash(runId);
    const reasons: string[] = [];
    const { hash, ...rest } = record;
    if (sha256Hex(canonicalJson(rest)) !== hash) reasons.push('content does not match its hash: the record was changed after it was written');
    if (record.seq !== expectedSeq) {
      reasons.push(`seq ${record.seq} found where ${expectedSeq} was expected: a record was dropped, inserted or reordered`);
    }
    if (prev !== null && record.prevHash !== prev) {
      reasons.push(
        expectedSeq === 1
          ? 'prevHash is not the genesis hash of this run: records before it are missing or it belongs to another run'
          : `prevHash does not match the hash of the record before it (seq ${expectedSeq - 1}): a record was dropped, changed or reordered`,
      );
    }
    if (record.runId !== runId) reasons.push(`runId ${record.runId} differs from the run's ${runId}`);
    if (reasons.length > 0) flag({ seq: record.seq, line, reason: reasons.join('; ') });
    prev = hash;
    head = hash;
    expectedSeq = record.seq + 1;
    count += 1;
    byKind[record.kind] = (byKind[record.kind] ?? 0) + 1;
    byVerdict[record.verdict] = (byVerdict[record.verdict] ?? 0) + 1;
    if (tail) warnings.push(`line ${line}: last record has no final newline`);
  });
  if (count === 0) head = manifest?.genesisHash ?? (runId === undefined ? '' : genesisHash(runId));

  let signature: SignatureStatus = 'unsigned';
  let thumbprint: string | undefined;
  if (manifest === null) {
    problems.push('manifest.json is missing (the run did not finish): only the chain of complete records was checked');
  } else {
    checkManifest(manifest, { count, head, sha256: scan.sha256, byKind, byVerdict, lines: scan.lines }, problems, flag);
    if (!manifest.complete) warnings.push(`the run is marked incomplete${manifest.incompleteReason ? `: ${manifest.incompleteReason}` : ''}`);
    ({ signature, thumbprint } = await checkSignature(manifest, key, problems, warnings));
  }
  if (badCount > MAX_LISTED) problems.push(`…and ${badCount - MAX_LISTED} more bad records`);

  const result: VerifyResult = {
    ok: problems.length === 0 && manifest !== null && signature !== 'invalid',
    dir,
    records: count,
    problems,
    warnings,
    signature,
    manifest: manifest === null ? 'missing' : 'present',
    complete: manifest?.complete === true,
    truncatedTail,
    headHash: head,
    evidenceSha256: scan.sha256,
  };
  if (firstBadRecord) result.firstBadRecord = firstBadRecord;
  if (thumbprint !== undefined) result.thumbprint = thumbprint;
  return result;
}

interface Observed {
  count: number;
  head: string;
  sha256: string;
  lines: number;
  byKind: Partial<Record<EvidenceKind, number>>;
  byVerdict: Partial<Record<Verdict, number>>;
}

function checkManifest(m: RunManifest, seen: Observed, problems: string[], flag: (bad: BadRecord) => void): void {
  const claimed = m.counts?.records;
  if (claimed !== seen.count) {
    if (typeof claimed === 'number' && claimed > seen.count) {
      flag({ seq: seen.count + 1, line: seen.lines + 1, reason: `missing: the manifest counts ${claimed} records but evidence.jsonl holds ${seen.count} (records were dropped from the end)` });
    } else {
      flag({ seq: (claimed ?? 0) + 1, line: (claimed ?? 0) + 1, reason: `unexpected: the manifest counts ${String(claimed)} records but evidence.jsonl holds ${seen.count} (records were appended after the manifest)` });
    }
  }
  if (m.headHash !== seen.head) problems.push(`manifest headHash ${m.headHash} differs from the recomputed head ${seen.head}`);
  if (m.evidenceSha256 !== seen.sha256) problems.push(`manifest evidenceSha256 ${m.evidenceSha256} differs from the file's sha256 ${seen.sha256}`);
  if (!sameCounts(m.counts?.byKind, seen.byKind)) problems.push(`manifest counts.byKind ${canonicalJson(m.counts?.byKind ?? {})} differ from the records' ${canonicalJson(seen.byKind)}`);
  if (!sameCounts(m.counts?.byVerdict, seen.byVerdict)) {
    problems.push(`manifest counts.byVerdict ${canonicalJson(m.counts?.byVerdict ?? {})} differ from the records' ${canonicalJson(seen.byVerdict)}`);
  }
}

function sameCounts(a: Partial<Record<string, number>> | undefined, b: Partial<Record<string, number>>): boolean {
  const norm = (o: Partial<Record<string, number>> | undefined) => canonicalJson(Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== 0 && v !== undefined)));
  return norm(a) === norm(b);
}

async function checkSignature(
  m: RunManifest,
  key: VerificationKey | undefined,
  problems: string[],
  warnings: string[],
): Promise<{ signature: SignatureStatus; thumbprint?: string }> {
  const sig = m.signature;
  if (!sig) {
    if (key) {
      problems.push('the manifest is not signed, but a key was given: a signature may have been stripped');
    } else warnings.push('the manifest is not signed');
    return { signature: 'unsigned' };
  }
  if (!key) {
    warnings.push(`signature present, not checked (pass --key with the signer's public key; claimed thumbprint ${sig.thumbprint})`);
    return { signature: 'not-checked', thumbprint: sig.thumbprint };
  }
  const invalid = (reason: string) => {
    problems.push(`signature invalid: ${reason}`);
    return { signature: 'invalid' as const, thumbprint: key.thumbprint };
  };
  if (sig.thumbprint !== key.thumbprint) return invalid(`the manifest names signer ${sig.thumbprint} but the key given is ${key.thumbprint}`);
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(sig.jws, key.publicKey, { algorithms: [key.alg] });
  } catch (cause) {
    return invalid(`the JWS does not verify with the key given (${(cause as Error).message})`);
  }
  if (verified.protectedHeader.alg !== sig.alg) return invalid(`the JWS alg ${verified.protectedHeader.alg} differs from the manifest's ${sig.alg}`);
  if (new TextDecoder().decode(verified.payload) !== manifestPayload(m)) return invalid('the signed payload differs from manifest.json: the manifest was changed after signing');
  return { signature: 'valid', thumbprint: key.thumbprint };
}
