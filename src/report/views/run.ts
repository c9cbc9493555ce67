import { createHash } from 'node:crypto';
import type { EvidenceRecord, RunManifest, RunSource } from '../../core/types.ts';
import type { Redactor } from '../../evidence/redact.ts';
import type { VerifyResult } from '../../evidence/verify.ts';
import type { IntegrityView, RunInfo } from '../model-types.ts';
import { clip } from './evidence.ts';

/** @internal */
export function toSource(m: RunManifest): RunSource {
  const src: RunSource = { dir: m.runId, runId: m.runId, records: m.counts?.records ?? 0, headHash: m.headHash, evidenceSha256: m.evidenceSha256, complete: m.complete };
  if (m.shard) src.shard = m.shard;
  if (m.signature) src.signature = { thumbprint: m.signature.thumbprint, status: 'not-checked' };
  return src;
}

/** @internal */
export function integrityView(m: Partial<RunManifest> | null, v: VerifyResult | undefined, runDir: string | readonly string[] | undefined): IntegrityView {
  const dirs = typeof runDir === 'string' ? [runDir] : runDir && runDir.length > 0 ? runDir : ['<run-folder>'];
  // Unmerged shards: each folder is checked on its own, so their signatures decide.
  const signed = dirs.length > 1 ? (m?.sources ?? []).some((s) => s.signature !== undefined) : m?.signature !== undefined;
  const key = signed ? ' --key <signer-public-key.jwk>' : '';
  const bad = v?.firstBadRecord;
  return {
    checked: v !== undefined,
    ok: v?.ok ?? false,
    headHash: v?.headHash ?? m?.headHash ?? '',
    evidenceSha256: v?.evidenceSha256 ?? m?.evidenceSha256 ?? '',
    manifestHeadHash: m?.headHash ?? '',
    records: v?.records ?? m?.counts?.records ?? 0,
    signature: v?.signature ?? (signed ? 'not-checked' : 'unsigned'),
    signatureAlg: m?.signature?.alg ?? '',
    signatureKid: m?.signature?.kid ?? '',
    thumbprint: m?.signature?.thumbprint ?? '',
    problems: v?.problems ?? ['the evidence chain was not verified for this report'],
    warnings: v?.warnings ?? [],
    firstBadRecord: bad ? `seq ${bad.seq} (line ${bad.line}): ${bad.reason}` : '',
    verifyCommand:
      dirs.length === 1
        ? `npx tenancy-audit verify ${shellArg(dirs[0] as string)}${key}`
        : `for d in ${dirs.map(shellArg).join(' ')}; do npx tenancy-audit verify "$d"${key} || exit 1; done`,
    sources: m?.sources ?? [],
  };
}

/** @internal */
export function shellArg(s: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** @internal */
export function runInfo(m: Partial<RunManifest> | null, records: readonly EvidenceRecord[], redact: Redactor): RunInfo {
  const first = records[0];
  const last = records[records.length - 1];
  const startedAt = m?.startedAt ?? first?.startedAt ?? '';
  const endedAt = m?.endedAt ?? last?.startedAt ?? '';
  const ms = Date.parse(endedAt) - Date.parse(startedAt);
  const ci = m?.operator?.ci;
  return {
    runId: m?.runId ?? first?.runId ?? 'unknown',
    kind: m?.kind ?? 'unknown',
    toolVersion: m?.tool?.version ?? 'unknown',
    system: m?.system ?? 'unknown',
    environment: m?.environment ?? 'unknown',
    target: redact.text(m?.target?.baseUrl ?? m?.target?.database ?? 'unknown'),
    database: m?.target?.baseUrl && m.target.database ? redact.text(m.target.database) : '',
    transport: transportText(m?.transport, redact),
    insecure: m?.transport?.insecure === true,
    configHash: m?.configHash ?? 'unknown',
    seed: m?.seed ?? first?.seed ?? null,
    runs: m?.runs ?? null,
    command: redact.text(m?.command ?? ''),
    operator: [m?.operator?.user, m?.operator?.host].filter(Boolean).join('@') || 'unknown',
    ci: ci ? [ci.provider, ci.ref, ci.commit, ci.runUrl].filter(Boolean).join(' · ') : 'none (local run)',
    startedAt,
    endedAt,
    durationText: Number.isFinite(ms) && ms >= 0 ? formatDuration(ms) : 'unknown',
    complete: m?.complete === true,
    incompleteReason: m ? (m.incompleteReason ?? '') : 'manifest.json missing: the run did not finish',
    shards: m?.sources ?? [],
    tenants: m?.tenants ?? [],
    manifestPresent: m !== null,
  };
}

/** @internal */
export function transportText(transport: RunManifest['transport'], redact: Redactor): string {
  if (!transport) return '';
  const parts = [
    transport.proxy === 'env' ? 'proxy from HTTP_PROXY/HTTPS_PROXY' : transport.proxy ? `proxy ${redact.text(transport.proxy)}` : '',
    transport.insecure ? 'TLS certificates NOT verified (--insecure)' : '',
    transport.http2 ? 'HTTP/2 offered' : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

/** @internal */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  return min < 60 ? `${min} min ${s % 60} s` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** @internal */
export function configView(config: unknown, redact: Redactor, max: number): { configJson: string; configTruncated: boolean } {
  if (config === undefined) return { configJson: '(not recorded)', configTruncated: false };
  let text: string;
  try {
    text = JSON.stringify(redact.value(config), null, 2) ?? 'null';
  } catch {
    text = '(unprintable)';
  }
  const c = clip(text, max);
  return { configJson: c.text, configTruncated: c.clipped };
}

/** RFC 4122 version-5 UUID in a tenancy-audit namespace: the same evidence always gets the same report id. */
export function uuidV5(name: string): string {
  const ns = Buffer.from('6f1e3c52a0d84b7e9c1f2d3a4b5c6d7e', 'hex');
  const h = createHash('sha1').update(ns).update(name).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
