import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { readEvidence } from '../../src/evidence/index.ts';
import { renderReport, resolveConfig, run, type AuditEvent } from '../../src/index.ts';
import { cli } from '../support/cli.ts';
import { contractServiceConfig, startContractService, type RunningService } from '../support/contract-service.ts';
import { createIssuer, type Issuer } from '../support/identity.ts';

/** Waivers over a real finding: the notes service does not check `iss`, so identity.spoofed finds `wrong-issuer`. */
let issuer: Issuer;
let service: RunningService;
let reportDir: string;
beforeAll(async () => {
  issuer = await createIssuer();
  service = await startContractService(issuer, { issUnchecked: true });
  reportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-waivers-'));
});
afterAll(async () => {
  await service.stop();
  await fs.rm(reportDir, { recursive: true, force: true });
});

const waiver = (expires: string, over: Record<string, unknown> = {}) => ({
  suite: 'identity.spoofed',
  mutation: 'wrong-issuer',
  reason: 'iss check ships with the IdP migration',
  owner: 'alice@example.com',
  expires,
  ...over,
});

async function audit(waivers: unknown[]) {
  const raw = contractServiceConfig(issuer, service.url, reportDir);
  raw.waivers = waivers;
  const logs: string[] = [];
  const onEvent = (e: AuditEvent) => void (e.type === 'log' && logs.push(e.line));
  const result = await run({ config: await resolveConfig(raw, { dir: reportDir }), seed: 11, suites: ['identity.spoofed'], onEvent });
  const { records } = await readEvidence(result.dir);
  const { model } = await renderReport(result.dir, { formats: ['html', 'md', 'json'] });
  return { result, records, model, logs, md: await fs.readFile(path.join(result.dir, 'report.md'), 'utf8') };
}

describe('waivers', () => {
  it('active: the finding stays in the evidence and the report (Exceptions) but out of the exit code', async () => {
    const { result, records, model, md } = await audit([waiver('2999-12-31')]);
    expect(result.exitCode).toBe(0);
    const waived = records.filter((r) => r.waiver);
    expect(waived.some((r) => r.kind === 'finding' && r.verdict === 'fail-open')).toBe(true);
    expect(waived.every((r) => r.waiver!.status === 'active' && r.waiver!.owner === 'alice@example.com')).toBe(true);
    expect(model.contract.exceptions.waivers[0]).toMatchObject({ status: 'active', owner: 'alice@example.com', expires: '2999-12-31' });
    expect(model.contract.exceptions.records.some((r) => r.kind === 'finding' && r.mutation === 'wrong-issuer')).toBe(true);
    expect(model.findings.total).toBe(0);
    expect(md).toContain('**Exceptions**');
    expect(md).toContain('iss check ships with the IdP migration');
    expect(model.suites[0]!.statusReason).toMatch(/waived/);
  });
  it('expired: the finding counts again (exit 1) and the report says the waiver expired', async () => {
    const { result, records, model, md, logs } = await audit([waiver('2020-01-31')]);
    expect(logs.some((l) => /waivers\[0\] \(alice@example.com\) expired on 2020-01-31/.test(l))).toBe(true);
    expect(result.exitCode).toBe(1);
    expect(records.some((r) => r.kind === 'finding' && r.waiver?.status === 'expired')).toBe(true);
    expect(model.suites[0]!.status).toBe('fail');
    expect(model.contract.exceptions.waivers[0]!.status).toBe('expired');
    expect(model.problems.some((p) => /expired and count again/.test(p))).toBe(true);
    expect(md).toContain('EXPIRED: counts again');
  });
  it('stale: a waiver that matched nothing is reported, and changes nothing', async () => {
    const { result, model, logs } = await audit([waiver('2999-12-31'), waiver('2999-12-31', { mutation: 'alg-none', reason: 'fixed long ago' })]);
    expect(logs).toContain('waivers[1] (fixed long ago) is stale: it matched nothing');
    expect(result.exitCode).toBe(0);
    expect(model.contract.exceptions.waivers.map((w) => w.status)).toEqual(['active', 'stale']);
    expect(model.problems.some((p) => /stale waiver\(s\) matched nothing: waivers\[1\]/.test(p))).toBe(true);
  });
  it('without expires: exit 2 before any request, naming the exact config path', async () => {
    const raw = contractServiceConfig(issuer, service.url, reportDir);
    const { expires: _e, ...noExpiry } = waiver('2999-12-31');
    raw.waivers = [waiver('2999-12-31'), noExpiry];
    const file = path.join(reportDir, 'no-expiry.config.json');
    await fs.writeFile(file, JSON.stringify(raw));
    const out = await cli(['run', '--config', file, '--suite', 'identity.spoofed']);
    expect(out.code).toBe(2);
    expect(out.out).toContain('waivers[1].expires');
  });
  it('in a separate file: the same waiver, read from waivers: <file>', async () => {
    await fs.writeFile(path.join(reportDir, 'waivers.yaml'), YAML.stringify({ waivers: [waiver('2999-12-31')] }));
    const raw = contractServiceConfig(issuer, service.url, reportDir);
    raw.waivers = 'waivers.yaml';
    const result = await run({ config: await resolveConfig(raw, { dir: reportDir }), seed: 11, suites: ['identity.spoofed'] });
    expect(result.exitCode).toBe(0);
    expect(result.manifest.contract!.waivers[0]).toMatchObject({ status: 'active', owner: 'alice@example.com' });
  });
});
