/** Evidence stage: redact, chain, write and read `evidence.jsonl`; write, sign and verify `manifest.json`. */
export { canonicalJson } from '../core/canonical.ts';
export { EVIDENCE_FILE, MANIFEST_FILE, resolveRunFolder } from './files.ts';
export { genesisHash, sha256Hex } from './hash.ts';
export { loadSigningKey, loadVerificationKey } from './keys.ts';
export type { KeySpec, SigningAlg, SigningKey, VerificationKey } from './keys.ts';
export { manifestPayload, readManifest, writeManifest } from './manifest.ts';
export type { WriteManifestOptions, WrittenManifest } from './manifest.ts';
export { readEvidence } from './reader.ts';
export type { BadLine, ReadEvidenceResult } from './reader.ts';
export { createRedactor, isSensitiveKey, jwtLabel, MIN_SECRET_LENGTH, SENSITIVE_KEY } from './redact.ts';
export type { HeaderInput, Redactor } from './redact.ts';
export { verifyRun } from './verify.ts';
export type { BadRecord, SignatureStatus, VerifyOptions, VerifyResult } from './verify.ts';
export { openEvidenceWriter } from './writer.ts';
export type { EvidenceWriter, EvidenceWriterOptions } from './writer.ts';
export { blockedRecord, controlRecord, findingRecord, probeRecord } from './records.ts';
export type { CellRef, JudgedCase, JudgedControl } from './records.ts';
export { exchangeStep, recordRequest, recordResponse } from './exchange-step.ts';
