import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TenancyAuditError } from '../core/errors.ts';
import type { EvidenceKind, EvidenceRecord } from '../core/types.ts';
import { VERDICTS } from '../core/verdict.ts';
import { EVIDENCE_FILE } from './files.ts';
import { scanLines } from './lines.ts';

/** Record kinds a reader accepts. */
export const EVIDENCE_KINDS: readonly EvidenceKind[] = ['control', 'probe', 'finding', 'db-check'];

/** A line of `evidence.jsonl` that is not a usable record. */
export interface BadLine {
  line: number;
  reason: string;
}

export interface ReadEvidenceResult {
  file: string;
  records: EvidenceRecord[];
  /** `lines[i]` is the 1-based line number of `records[i]`. */
  lines: number[];
  /** Lines that could not be read as records (not counting a truncated tail). */
  badLines: BadLine[];
  /** Human-readable notes: bad lines, truncated tail, missing final newline. */
  problems: string[];
  /** The last line was cut short (a killed run): it is left out of `records`. */
  truncatedTail: boolean;
  /** sha256 of the file bytes as read. */
  sha256: string;
  bytes: number;
}

/** @internal Called for each line: a parsed record or a reason it is not one. */
export type EvidenceVisitor = (entry: { line: number; record?: EvidenceRecord; raw: string; error?: string; tail: boolean }) => void;

/** @internal Streams `evidence.jsonl`; the base of {@link readEvidence} and verification. */
export async function scanEvidence(dir: string, visit: EvidenceVisitor): Promise<{ file: string; sha256: string; bytes: number; lines: number }> {
  const file = join(dir, EVIDENCE_FILE);
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new Error('not a file');
  } catch (cause) {
    throw new TenancyAuditError('TA_USAGE', `No ${EVIDENCE_FILE} in ${dir}`, {
      hint: 'Pass a run folder written by `tenancy-audit run` (it holds evidence.jsonl and manifest.json).',
      cause,
    });
  }
  const scan = await scanLines(file, ({ lineNo, text, terminated }) => {
    const tail = !terminated;
    if (text.trim() === '') {
      visit({ line: lineNo, raw: text, error: 'blank line', tail });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      visit({ line: lineNo, raw: text, error: 'not valid JSON', tail });
      return;
    }
    const shapeError = recordShapeError(parsed);
    if (shapeError) visit({ line: lineNo, raw: text, error: shapeError, tail });
    else visit({ line: lineNo, raw: text, record: parsed as EvidenceRecord, tail });
  });
  return { file, sha256: scan.sha256, bytes: scan.bytes, lines: scan.lines };
}

/** @internal Why a parsed value is not an evidence record, or null. */
export function recordShapeError(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const r = value as Record<string, unknown>;
  for (const key of ['runId', 'kind', 'suite', 'verdict', 'prevHash', 'hash'] as const) {
    if (typeof r[key] !== 'string') return `field "${key}" missing or not a string`;
  }
  if (typeof r.seq !== 'number' || !Number.isInteger(r.seq)) return 'field "seq" missing or not an integer';
  if (!(VERDICTS as readonly string[]).includes(r.verdict as string)) return `verdict "${String(r.verdict)}" is not one of ${VERDICTS.join(', ')}`;
  if (!EVIDENCE_KINDS.includes(r.kind as EvidenceKind)) return `kind "${String(r.kind)}" is not one of ${EVIDENCE_KINDS.join(', ')}`;
  return null;
}

/**
 * Reads a run's `evidence.jsonl`. Tolerates a truncated last line (a run killed mid-write):
 * it is left out and flagged with `truncatedTail: true`. Does not check hashes: see `verifyRun`.
 */
export async function readEvidence(dir: string): Promise<ReadEvidenceResult> {
  const records: EvidenceRecord[] = [];
  const lines: number[] = [];
  const badLines: BadLine[] = [];
  const problems: string[] = [];
  let truncatedTail = false;
  const scan = await scanEvidence(dir, ({ line, record, raw, error, tail }) => {
    if (record) {
      records.push(record);
      lines.push(line);
      if (tail) problems.push(`line ${line}: last record has no final newline`);
    } else if (tail) {
      truncatedTail = true;
      problems.push(`line ${line}: truncated tail (${Buffer.byteLength(raw)} bytes of an incomplete record) ignored`);
    } else {
      badLines.push({ line, reason: error ?? 'unreadable' });
      problems.push(`line ${line}: ${error ?? 'unreadable'}`);
    }
  });
  return { file: scan.file, records, lines, badLines, problems, truncatedTail, sha256: scan.sha256, bytes: scan.bytes };
}
