import { describe, expect, it } from 'vitest';
import type { EvidenceRecord, RunManifest, SuiteMeta } from '../core/types.ts';
import type { Verdict } from '../core/verdict.ts';
import { buildReportModel } from './model.ts';
import type { VerifyResult } from '../evidence/verify.ts';

const suite = (id: string): SuiteMeta => ({ id, title: id, description: '', families: ['missing'], paths: ['sync'], severity: 'high', controls: { soc2: [], iso27001: [] }, remediation: 'fix' });
let seq = 0;
const r = (suiteId: string, kind: EvidenceRecord['kind'], verdict: Verdict, extra: Partial<EvidenceRecord> = {}): EvidenceRecord => ({
  v: 1, seq: ++seq, runId: 'r', kind, suite: suiteId, family: 'missing', path: 'sync', operation: 'op', mutation: { id: 'm', title: 'm' }, seed: 1,
  verdict, reason: 'x', detail: '', startedAt: '2025-01-01T00:00:00Z', durationMs: 1, prevHash: 'p', hash: `h${seq}`, ...extra,
});
const manifest = (suites: SuiteMeta[], extra: Partial<RunManifest> = {}): RunManifest => ({
  v: 1, tool: { name: 'tenancy-audit', version: 't' }, kind: 'http', runId: 'r', startedAt: '2025-01-01T00:00:00Z', endedAt: '2025-01-01T00:01:00Z', complete: true,
  system: 's', environment: 'e', target: {}, configHash: 'c', config: {}, seed: 1, runs: 1, command: '', operator: {}, suites, mutations: [], operations: [], tenants: [],
  counts: { records: 0, byKind: {}, byVerdict: {} }, headHash: 'h', evidenceSha256: 'e', exitCode: 0, ...extra,
});
const verified: VerifyResult = { ok: true, dir: 'd', records: 0, problems: [], warnings: [], signature: 'unsigned', manifest: 'present', complete: true, truncatedTail: false, headHash: 'h', evidenceSha256: 'e' };

describe('buildReportModel', () => {
  it('passes only a complete, verified run whose suites all passed with live controls', () => {
    const m = buildReportModel(manifest([suite('a')]), [r('a', 'control', 'pass'), r('a', 'probe', 'pass')], [], { integrity: verified });
    expect(m.overall).toMatchObject({ result: 'pass', exitCode: 0 });
    expect(buildReportModel(manifest([suite('a')]), [r('a', 'control', 'pass'), r('a', 'probe', 'pass')], []).overall.result).toBe('inconclusive');
    expect(buildReportModel(manifest([suite('a')], { complete: false }), [r('a', 'control', 'pass'), r('a', 'probe', 'pass')], [], { integrity: verified }).overall.result).toBe('inconclusive');
    expect(buildReportModel(manifest([]), [], [], { integrity: verified }).overall.result).toBe('inconclusive');
  });

  it('counts finding records apart from the probe population, but fails the suite on them', () => {
    const m = buildReportModel(manifest([suite('a')]), [r('a', 'control', 'pass'), r('a', 'probe', 'pass'), r('a', 'finding', 'leak')], [], { integrity: verified });
    expect(m.suites[0]).toMatchObject({ status: 'fail', judged: 1, findings: 1 });
    expect(m.totals).toMatchObject({ judged: 1, findings: 1 });
    expect(m.coverage.rows[0]).toMatchObject({ total: 1, findingIds: ['F-001'], findingVerdicts: ['leak'] });
    expect(m.overall).toMatchObject({ result: 'fail', exitCode: 1 });
  });

  it('shows the first failing probe as a finding when the suite recorded none', () => {
    const m = buildReportModel(manifest([suite('a')]), [r('a', 'control', 'pass'), r('a', 'probe', 'soft-fail', { request: { method: 'GET', url: 'u', headers: {} } })], [], { integrity: verified });
    expect(m.findings.items).toHaveLength(1);
    expect(m.findings.items[0]).toMatchObject({ fromProbe: true, verdict: 'soft-fail' });
    expect(m.findings.items[0]?.steps[0]?.curl).toMatch(/^curl /);
  });

  it('never counts an unknown verdict as a pass', () => {
    const m = buildReportModel(manifest([suite('a')]), [r('a', 'control', 'pass'), r('a', 'probe', 'PASS' as Verdict)], [], { integrity: verified });
    expect(m.suites[0]?.status).toBe('inconclusive');
    expect(m.problems.join('\n')).toMatch(/unknown verdict "PASS"/);
  });

  it('follows --fail-on for the exit code, never for the verdict of a leak', () => {
    const recs = () => [r('a', 'control', 'pass'), r('a', 'probe', 'leak')];
    expect(buildReportModel(manifest([suite('a')], { failOn: 'never' }), recs(), [], { integrity: verified }).overall).toMatchObject({ result: 'fail', exitCode: 3 });
    const cbe = [r('a', 'control', 'pass'), r('a', 'probe', 'closed-by-error')];
    expect(buildReportModel(manifest([suite('a')], { failOn: 'closed-by-error' }), cbe, [], { integrity: verified }).overall).toMatchObject({ result: 'fail', exitCode: 1 });
    expect(buildReportModel(manifest([suite('a')]), cbe, [], { integrity: verified }).overall).toMatchObject({ result: 'warn', exitCode: 0 });
  });

  it('never lets a not-applicable declaration hide a suite that recorded evidence', () => {
    const contract = { notApplicable: [{ suite: 'db', reason: 'no database' }], accepted: [], waivers: [] };
    const declaredOnly = buildReportModel(manifest([suite('a'), suite('db')], { contract }), [r('a', 'control', 'pass'), r('a', 'probe', 'pass')], [], { integrity: verified });
    expect(declaredOnly.suites.find((x) => x.id === 'db')?.status).toBe('not-applicable');
    expect(declaredOnly.overall.result).toBe('pass');
    const leaking = buildReportModel(manifest([suite('a'), suite('db')], { contract }), [r('a', 'control', 'pass'), r('a', 'probe', 'pass'), r('db', 'control', 'pass'), r('db', 'probe', 'leak')], [], { integrity: verified });
    expect(leaking.suites.find((x) => x.id === 'db')?.status).toBe('fail');
    expect(leaking.overall).toMatchObject({ result: 'fail', exitCode: 1 });
    expect(leaking.problems.join('\n')).toMatch(/suite db is declared not applicable but recorded evidence/);
  });
});
