import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { TenancyAuditError } from '../core/errors.ts';
import type { EvidenceKind, EvidenceRecord, RunCounts, UnsignedEvidenceRecord } from '../core/types.ts';
import { VERDICTS } from '../core/verdict.ts';
import { canonicalMembers } from '../core/canonical.ts';
import { EVIDENCE_FILE } from './files.ts';
import { genesisHash, sha256Hex } from './hash.ts';
import { EVIDENCE_KINDS } from './reader.ts';
import type { Redactor } from './redact.ts';

export interface EvidenceWriterOptions {
  runId: string;
  /** Applied to every record before it is hashed and written. */
  redactor: Redactor;
  /** `prevHash` of the first record; default `sha256("tenancy-audit:genesis:<runId>")`. Record a custom one as `manifest.genesisHash`. */
  genesis?: string;
  /** Also `fdatasync` each record (survives power loss, slower). Default false: each record is handed to the OS before `append` resolves, which survives SIGKILL. */
  fsync?: boolean;
}

export interface EvidenceWriter {
  readonly dir: string;
  readonly file: string;
  /** Records written so far. */
  readonly count: number;
  /** Hash of the last record written (the genesis hash before the first). */
  readonly headHash: string;
  /** Redacts, chains, writes and flushes one record; concurrent calls are serialized in call order. */
  append(record: UnsignedEvidenceRecord): Promise<EvidenceRecord>;
  /** Counts for `manifest.counts`. */
  counts(): RunCounts;
  /** sha256 of the bytes written to `evidence.jsonl` so far. */
  evidenceSha256(): string;
  close(): Promise<void>;
}

/** Fields copied as they are; every other field goes through the redactor. */
const STRUCTURAL = new Set(['v', 'kind', 'family', 'path', 'verdict', 'seed', 'durationMs', 'startedAt']);

/**
 * Creates `<dir>/evidence.jsonl` (refusing to touch an existing one) and returns the run's only writer.
 *
 * @example
 * const w = await openEvidenceWriter(dir, { runId, redactor: createRedactor(tokens) });
 * const rec = await w.append({ v: 1, kind: 'probe', suite: 'identity.missing', … });
 * await w.close();
 */
export async function openEvidenceWriter(dir: string, options: EvidenceWriterOptions): Promise<EvidenceWriter> {
  const { runId, redactor, fsync = false } = options;
  if (typeof runId !== 'string' || runId === '') throw new TypeError('openEvidenceWriter: runId must be a non-empty string');
  await mkdir(dir, { recursive: true });
  const file = join(dir, EVIDENCE_FILE);
  let handle: FileHandle;
  try {
    handle = await open(file, 'wx');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new TenancyAuditError('TA_EVIDENCE_INVALID', `${file} already exists: a run folder holds exactly one run`, {
        hint: 'Write each run (and each merge) to a new folder.',
        cause,
      });
    }
    throw cause;
  }

  const fileHash = createHash('sha256');
  const byKind: Partial<Record<EvidenceKind, number>> = {};
  const byVerdict: RunCounts['byVerdict'] = {};
  let count = 0;
  let head = options.genesis ?? genesisHash(runId);
  let queue: Promise<unknown> = Promise.resolve();
  let broken: unknown = null;
  let closed = false;

  const write = async (input: UnsignedEvidenceRecord): Promise<EvidenceRecord> => {
    if (broken !== null) throw new TenancyAuditError('TA_EVIDENCE_INVALID', 'An earlier evidence write failed; the chain cannot continue', { cause: broken });
    if (closed) throw new TypeError('EvidenceWriter.append: the writer is closed');
    checkShape(input);
    const draft: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      draft[key] = STRUCTURAL.has(key) ? value : redactor.value(value);
    }
    draft.v = 1;
    draft.seq = count + 1;
    draft.runId = runId;
    draft.prevHash = head;
    delete draft.hash;
    // The hash covers the canonical JSON of the record without it; the line is the same members plus the hash.
    const { keys, members } = canonicalMembers(draft);
    const hash = sha256Hex(`{${members.join(',')}}`);
    const at = keys.findIndex((key) => key > 'hash');
    members.splice(at < 0 ? members.length : at, 0, `"hash":"${hash}"`);
    const bytes = Buffer.from(`{${members.join(',')}}\n`, 'utf8');
    try {
      // One synchronous write(2) per record: the line is in the OS (surviving SIGKILL) before `append` resolves,
      // without a thread-pool round trip per record.
      for (let off = 0; off < bytes.length; ) off += writeSync(handle.fd, bytes, off, bytes.length - off);
      if (fsync) await handle.datasync();
    } catch (cause) {
      broken = cause;
      throw cause;
    }
    fileHash.update(bytes);
    count += 1;
    head = hash;
    const stored = { ...draft, hash } as unknown as EvidenceRecord;
    byKind[stored.kind] = (byKind[stored.kind] ?? 0) + 1;
    byVerdict[stored.verdict] = (byVerdict[stored.verdict] ?? 0) + 1;
    return stored;
  };

  return {
    dir,
    file,
    get count() {
      return count;
    },
    get headHash() {
      return head;
    },
    append(record) {
      const next = queue.then(() => write(record));
      queue = next.catch(() => undefined);
      return next;
    },
    counts: () => ({ records: count, byKind: { ...byKind }, byVerdict: { ...byVerdict } }),
    evidenceSha256: () => fileHash.copy().digest('hex'),
    async close() {
      await queue;
      if (closed) return;
      closed = true;
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
  };
}

function checkShape(r: UnsignedEvidenceRecord): void {
  if (r === null || typeof r !== 'object') throw new TypeError('EvidenceWriter.append: the record must be an object');
  if (!EVIDENCE_KINDS.includes(r.kind)) throw new TypeError(`EvidenceWriter.append: kind must be one of ${EVIDENCE_KINDS.join(', ')}, but received ${String(r.kind)}`);
  if (!(VERDICTS as readonly string[]).includes(r.verdict)) {
    throw new TypeError(`EvidenceWriter.append: verdict must be one of ${VERDICTS.join(', ')}, but received ${String(r.verdict)}`);
  }
  if (typeof r.suite !== 'string' || r.suite === '') throw new TypeError('EvidenceWriter.append: suite must be a non-empty string');
}
