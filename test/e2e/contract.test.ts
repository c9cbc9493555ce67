import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvidence } from '../../src/evidence/index.ts';
import { createTerminalReporter, renderReport, resolveConfig, run } from '../../src/index.ts';
import { contractServiceConfig, startContractService, type ServiceContract } from '../support/contract-service.ts';
import { createIssuer, type Issuer } from '../support/identity.ts';

/**
 * Services whose contract differs from the suites' defaults, configured as a user would: with the declarations
 * (`accept:`, `channels:`, `scope:`) the suites pass; without them the same services fail.
 */
let issuer: Issuer;
let reportDir: string;
beforeAll(async () => {
  issuer = await createIssuer();
  reportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-contract-'));
});
afterAll(() => fs.rm(reportDir, { recursive: true, force: true }));

async function audit(contract: ServiceContract, declare: (config: Record<string, any>) => void, suites: string[]) {
  const service = await startContractService(issuer, contract);
  try {
    const raw = contractServiceConfig(issuer, service.url, reportDir);
    declare(raw);
    const config = await resolveConfig(raw, { dir: reportDir });
    let terminal = '';
    const result = await run({ config, seed: 7, suites, onEvent: createTerminalReporter({ live: false, write: (text) => void (terminal += text) }) });
    const { records } = await readEvidence(result.dir);
    const { model } = await renderReport(result.dir, { formats: ['json', 'md'] });
    return { result, records, model, terminal };
  } finally {
    await service.stop();
  }
}

const statusOf = (model: Awaited<ReturnType<typeof audit>>['model'], suite: string) => model.suites.find((s) => s.id === suite)?.status;
const none = () => {};

describe('accept: a service that verifies signature, aud and exp but not iss', () => {
  const suite = 'identity.spoofed';
  it('fails identity.spoofed on wrong-issuer without the declaration', async () => {
    const { result, records, model } = await audit({ issUnchecked: true }, none, [suite]);
    expect(result.exitCode).toBe(1);
    expect(statusOf(model, suite)).toBe('fail');
    expect(records.some((r) => r.kind === 'finding' && r.mutation.id === 'wrong-issuer')).toBe(true);
  });
  it('passes with accept: [{ mutation: wrong-issuer }]; the accepted cells still ran and are listed apart, never as pass', async () => {
    const { result, records, model } = await audit({ issUnchecked: true }, (c) => (c.accept = [{ mutation: 'wrong-issuer', reason: 'iss is not checked by design: one issuer per deployment' }]), [suite]);
    expect(statusOf(model, suite)).toBe('pass');
    expect(result.exitCode).toBe(0);
    const accepted = records.filter((r) => r.accepted);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.every((r) => r.mutation.id === 'wrong-issuer' && r.verdict !== 'pass')).toBe(true);
    expect(records.some((r) => r.kind === 'finding')).toBe(false);
    expect(model.contract.accepted.rules[0]!.matched).toBe(accepted.length);
    expect(model.suites.find((s) => s.id === suite)!.statusReason).toMatch(/accepted deviation/);
  });
});

describe('channels: a tenant field that exists only on writes', () => {
  const suite = 'identity.mismatched';
  it('fails identity.mismatched (assertion ignored on the search) without the declaration', async () => {
    const { result, model, records } = await audit({}, none, [suite]);
    expect(result.exitCode).toBe(1);
    expect(statusOf(model, suite)).toBe('fail');
    expect(records.filter((r) => r.kind === 'finding').map((r) => r.operation)).toEqual(['search-notes']);
  });
  it('passes when the search declares channels: [] (the field is probed only on the write)', async () => {
    const { result, model, records } = await audit({}, (c) => (c.operations.find((o: { id: string }) => o.id === 'search-notes').channels = []), [suite]);
    expect(statusOf(model, suite)).toBe('pass');
    expect(result.exitCode).toBe(0);
    const probed = new Set(records.filter((r) => r.kind === 'probe').map((r) => r.operation));
    expect(probed.has('search-notes')).toBe(false);
    expect(probed.has('create-note')).toBe(true);
  });
  it('passes as well with channels.appliesTo: { body:tenantId: [create] } (the channel exists only on writes)', async () => {
    const { result, model, records } = await audit({}, (c) => (c.channels.appliesTo = { 'body:tenantId': ['create'] }), [suite]);
    expect(statusOf(model, suite)).toBe('pass');
    expect(result.exitCode).toBe(0);
    expect(records.some((r) => r.kind === 'probe' && r.operation === 'search-notes')).toBe(false);
  });
});

describe('accept: a service that takes any non-empty tenant string as a new, empty tenant', () => {
  const suite = 'identity.missing';
  it('fails identity.missing on claim-whitespace without the declaration', async () => {
    const { result, records } = await audit({ anyTenantString: true }, none, [suite]);
    expect(result.exitCode).toBe(1);
    expect(records.some((r) => r.kind === 'finding' && r.mutation.id === 'claim-whitespace')).toBe(true);
  });
  it('passes with accept: [{ mutation: claim-whitespace }]', async () => {
    const { result, model } = await audit({ anyTenantString: true }, (c) => (c.accept = [{ mutation: 'claim-whitespace', reason: 'the IdP issues "  " only for a fresh, empty tenant' }]), [suite]);
    expect(statusOf(model, suite)).toBe('pass');
    expect(result.exitCode).toBe(0);
    expect(model.contract.accepted.records.length).toBeGreaterThan(0);
  });
});

describe('public and shared operations', () => {
  const withOperation = (op: Record<string, unknown>) => (c: Record<string, any>) => {
    c.operations.find((o: { id: string }) => o.id === 'search-notes').channels = [];
    c.operations.push(op);
  };
  it('a status page answering without identity fails identity.missing unless declared public: true', async () => {
    const status = { id: 'status', kind: 'read', method: 'GET', path: '/status' };
    const undeclared = await audit({}, withOperation(status), ['identity.missing']);
    expect(undeclared.result.exitCode).toBe(1);
    expect(undeclared.records.some((r) => r.kind === 'finding' && r.operation === 'status' && r.verdict === 'fail-open')).toBe(true);
    const declared = await audit({}, withOperation({ ...status, public: true }), ['identity.missing']);
    expect(declared.result.exitCode).toBe(0);
    const statusProbes = declared.records.filter((r) => r.operation === 'status' && r.kind === 'probe');
    // The status page was probed (an unprobed operation would make `every` vacuously true).
    expect(statusProbes.length).toBeGreaterThan(0);
    expect(statusProbes.every((r) => r.verdict === 'pass' && r.reason === 'public-operation')).toBe(true);
  });
  it('a board every tenant reads is a leak unless declared shared: true', async () => {
    const board = { id: 'board', kind: 'list', method: 'GET', path: '/board', fixture: 'note' };
    const undeclared = await audit({}, withOperation(board), ['identity.missing']);
    expect(undeclared.result.exitCode).toBe(1);
    expect(undeclared.records.some((r) => r.kind === 'control' && r.operation === 'board' && r.verdict === 'leak')).toBe(true);
    const declared = await audit({}, withOperation({ ...board, shared: true }), ['identity.missing']);
    expect(declared.result.exitCode).toBe(0);
    expect(statusOf(declared.model, 'identity.missing')).toBe('pass');
  });
});

describe('every pass earned: a write that cannot be read back', () => {
  it('is inconclusive, never a pass, when the create has no verify operation', async () => {
    const { result, records, model } = await audit({}, (c) => {
      c.operations.find((o: { id: string }) => o.id === 'search-notes').channels = [];
      delete c.operations.find((o: { id: string }) => o.id === 'create-note').verify;
    }, ['identity.missing']);
    const creates = records.filter((r) => r.kind === 'probe' && r.operation === 'create-note');
    expect(creates.length).toBeGreaterThan(0);
    expect(creates.every((r) => r.verdict === 'inconclusive' && r.reason === 'write-not-read-back')).toBe(true);
    expect(statusOf(model, 'identity.missing')).toBe('inconclusive');
    expect(result.exitCode).toBe(3);
  });
});

describe('scope: a service with no async jobs and no idempotency keys', () => {
  const scope = {
    paths: [
      { path: 'callback', reason: 'no async jobs or webhooks' },
      { path: 'retry', reason: 'no idempotency keys' },
    ],
    suites: [{ id: 'db', reason: 'the data layer is audited by its own run (tenancy-audit db)' }],
  };
  const control = (model: Awaited<ReturnType<typeof audit>>['model'], framework: string, id: string) =>
    model.frameworks.find((f) => f.framework === framework)!.requirements.find((r) => r.id === id)!;

  // The search carries no tenant field (see above), so everything else passes.
  const searchHasNoTenant = (c: Record<string, any>) => (c.operations.find((o: { id: string }) => o.id === 'search-notes').channels = []);

  it('leaves SOC 2 CC6.1 and ISO 27001 5.15 inconclusive without the declaration', async () => {
    const { model } = await audit({}, searchHasNoTenant, []);
    expect(control(model, 'SOC2', 'CC6.1').status).toBe('inconclusive');
    expect(control(model, 'ISO27001', '5.15').status).toBe('inconclusive');
  });
  it('shows those suites not applicable (declared) and the controls Effective when everything else passed', async () => {
    const { result, model, terminal } = await audit({}, (c) => {
      searchHasNoTenant(c);
      c.scope = scope;
    }, []);
    expect(terminal).toMatch(/retry\.idempotency\s+retry\s+not applicable \(declared: retry: no idempotency keys\)/);
    expect(result.exitCode).toBe(0);
    for (const id of ['async.propagation', 'callback.integrity', 'retry.idempotency']) {
      const s = model.suites.find((x) => x.id === id)!;
      expect(s.status).toBe('not-applicable');
      expect(s.statusReason).toMatch(/^not applicable \(declared: /);
    }
    expect(model.suites.find((x) => x.id === 'retry.idempotency')!.statusReason).toBe('not applicable (declared: retry: no idempotency keys)');
    expect(model.suites.filter((s) => s.status !== 'not-applicable').every((s) => s.status === 'pass')).toBe(true);
    expect(control(model, 'SOC2', 'CC6.1'), control(model, 'SOC2', 'CC6.1').reason).toMatchObject({ status: 'effective' });
    expect(control(model, 'ISO27001', '5.15').status).toBe('effective');
    expect(model.overall.result).toBe('pass');
    const md = await fs.readFile(path.join(result.dir, 'report.md'), 'utf8');
    expect(md).toContain('not applicable (declared: callback: no async jobs or webhooks)');
  });
});
