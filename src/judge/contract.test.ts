import { describe, expect, it } from 'vitest';
import { acceptedBy, channelMatches, mutationMatches, notApplicableReason, suiteMatches, waivedBy, waiverActive, waiverStatus } from './contract.ts';
import { judgeControl, judgeProbe, type JudgeRules, type ProbeObservation } from './index.ts';

const facts = (over: Partial<Parameters<typeof acceptedBy>[1]> = {}) => ({
  suite: 'identity.spoofed',
  operation: 'list-notes',
  mutation: { id: 'wrong-issuer' },
  verdict: 'fail-open' as const,
  reason: 'accepted-invalid-credential',
  ...over,
});

describe('declared scope', () => {
  const scope = { paths: [{ path: 'callback' as const, reason: 'no async jobs' }, { path: 'retry' as const, reason: 'no idempotency keys' }], suites: [] };
  it('makes a suite not applicable when every path it tests is declared absent, with the declared reasons', () => {
    expect(notApplicableReason({ id: 'async.propagation', paths: ['callback', 'retry'] }, scope)).toBe('callback: no async jobs; retry: no idempotency keys');
    expect(notApplicableReason({ id: 'retry.idempotency', paths: ['retry'] }, scope)).toBe('retry: no idempotency keys');
  });
  it('keeps a suite that tests any path the service has', () => {
    expect(notApplicableReason({ id: 'identity.missing', paths: ['sync'] }, scope)).toBeUndefined();
    expect(notApplicableReason({ id: 'mixed', paths: ['sync', 'callback'] }, scope)).toBeUndefined();
    expect(notApplicableReason({ id: 'no-paths', paths: [] }, scope)).toBeUndefined();
  });
  it('names suites by id or prefix, never by a longer word', () => {
    const named = { paths: [], suites: [{ id: 'identity', reason: 'no tokens' }] };
    expect(notApplicableReason({ id: 'identity.missing', paths: ['sync'] }, named)).toBe('no tokens');
    expect(notApplicableReason({ id: 'identityx.y', paths: ['sync'] }, named)).toBeUndefined();
    expect(suiteMatches('identity', 'identity')).toBe(true);
  });
});

describe('accepted deviations', () => {
  it('match by mutation id, also as the suffix of a scenario mutation', () => {
    expect(mutationMatches('claim-whitespace', 'claim-whitespace')).toBe(true);
    expect(mutationMatches('claim-whitespace', 'replay-key-claim-whitespace')).toBe(true);
    expect(mutationMatches('claim-whitespace', 'claim-whitespaces')).toBe(false);
    expect(acceptedBy([{ mutation: 'wrong-issuer', reason: 'iss unchecked by design' }], facts())).toBe(0);
    expect(acceptedBy([{ mutation: 'wrong-audience', reason: 'x' }], facts())).toBe(-1);
  });
  it('need every field given to match (suite, operation, channel)', () => {
    const rule = { suite: 'identity.mismatched', operation: 'search', channel: 'body', reason: 'write-only field' };
    const c = facts({ suite: 'identity.mismatched', operation: 'search', mutation: { id: 'body-other-tenant', channel: 'body:tenantId' }, verdict: 'soft-fail', reason: 'assertion-ignored' });
    expect(acceptedBy([rule], c)).toBe(0);
    expect(acceptedBy([rule], { ...c, operation: 'create' })).toBe(-1);
    expect(acceptedBy([{ ...rule, channel: 'header' }], c)).toBe(-1);
    expect(channelMatches('body:tenantId', 'body:tenantId')).toBe(true);
    expect(channelMatches('body:other', 'body:tenantId')).toBe(false);
    expect(channelMatches('body', undefined)).toBe(false);
  });
  it('never accept a leak or data served or written without identity', () => {
    const rule = [{ mutation: 'wrong-issuer', reason: 'x' }];
    expect(acceptedBy(rule, facts({ verdict: 'leak', reason: 'canary-foreign' }))).toBe(-1);
    expect(acceptedBy(rule, facts({ reason: 'canary-without-identity' }))).toBe(-1);
    expect(acceptedBy(rule, facts({ reason: 'write-without-identity' }))).toBe(-1);
  });
});

describe('waivers', () => {
  const waiver = { suite: 'identity', verdict: 'soft-fail' as const, reason: 'fix planned', owner: 'alice', expires: '2026-12-31' };
  it('are active through the whole expiry day (UTC), expired after it', () => {
    expect(waiverActive('2026-12-31', new Date('2026-12-31T23:59:59Z'))).toBe(true);
    expect(waiverActive('2026-12-31', new Date('2027-01-01T00:00:00Z'))).toBe(false);
  });
  it('match failing records only, by suite, operation, mutation and verdict', () => {
    const soft = facts({ verdict: 'soft-fail', reason: 'accepted-empty' });
    expect(waivedBy([waiver], soft, 'soft-fail')).toBe(0);
    expect(waivedBy([waiver], { ...soft, verdict: 'pass' }, 'soft-fail')).toBe(-1);
    expect(waivedBy([waiver], { ...soft, verdict: 'inconclusive' }, 'soft-fail')).toBe(-1);
    expect(waivedBy([waiver], { ...soft, verdict: 'leak' }, 'soft-fail')).toBe(-1);
    expect(waivedBy([{ ...waiver, operation: 'other' }], soft, 'soft-fail')).toBe(-1);
    // A leak is waived only by a waiver that names it; a waiver without a verdict covers lesser findings only.
    const broad = { suite: 'identity', reason: 'r', owner: 'o', expires: '2026-12-31' };
    expect(waivedBy([broad], { ...soft, verdict: 'leak' }, 'soft-fail')).toBe(-1);
    expect(waivedBy([broad], soft, 'soft-fail')).toBe(0);
    expect(waivedBy([{ ...broad, verdict: 'leak' as const }], { ...soft, verdict: 'leak' }, 'soft-fail')).toBe(0);
  });
  it('are stale when they matched nothing, whatever their date', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(waiverStatus('2026-12-31', 0, now)).toBe('stale');
    expect(waiverStatus('2026-12-31', 2, now)).toBe('active');
    expect(waiverStatus('2026-01-01', 2, now)).toBe('expired');
  });
});

describe('the oracle with the contract', () => {
  const rules: JudgeRules = { rejectStatuses: [401, 403, 404], rejectBodies: [], emptyPaths: ['$', 'items'] };
  const canaries = { acme: ['ta-canary-acme-1'], globex: ['ta-canary-globex-1'] };
  const obs = (status: number, body: unknown, over: Partial<ProbeObservation> = {}, headers: Record<string, string> = {}): ProbeObservation => ({
    family: 'missing',
    credential: 'invalid',
    actor: null,
    canaries,
    outcome: { kind: 'response', response: { status, headers, bodyText: JSON.stringify(body) } },
    ...over,
  });

  it('judges a 3xx inconclusive unless its Location is the configured login page', () => {
    const redirect = obs(302, '', {}, { location: 'https://login.example.com/?next=/notes' });
    expect(judgeProbe(redirect, rules)).toMatchObject({ verdict: 'inconclusive', reason: 'redirect' });
    expect(judgeProbe(redirect, { ...rules, redirects: '^https://login\\.example\\.com/' })).toMatchObject({ verdict: 'pass', reason: 'redirected-to-login' });
    expect(judgeProbe(obs(302, '', {}, { location: 'https://elsewhere.example.com/' }), { ...rules, redirects: '^https://login\\.example\\.com/' }).verdict).toBe('inconclusive');
  });
  it('a 3xx that shows a foreign canary is still a failure', () => {
    expect(judgeProbe(obs(302, { n: 'ta-canary-globex-1' }), rules).verdict).toBe('fail-open');
  });
  it('passes a public operation answering without identity only when it shows no tenant data', () => {
    const op = { public: true };
    expect(judgeProbe(obs(200, { items: [{ n: 'public news' }] }, { operation: op }), rules)).toMatchObject({ verdict: 'pass', reason: 'public-operation' });
    expect(judgeProbe(obs(200, { items: [{ n: 'ta-canary-acme-1' }] }, { operation: op }), rules).verdict).toBe('fail-open');
    expect(judgeProbe(obs(200, { items: [{ n: 'public news' }] }), rules).verdict).toBe('fail-open');
    // A forged token claiming acme that still reads acme's data, or writes into acme, was accepted: not public.
    const spoofed = { family: 'spoofed' as const, credential: 'invalid' as const, actor: 'acme', operation: op };
    expect(judgeProbe(obs(200, { items: [{ n: 'ta-canary-acme-1' }] }, spoofed), rules)).toMatchObject({ verdict: 'fail-open', reason: 'accepted-invalid-credential' });
    expect(judgeProbe(obs(201, { id: 'n1' }, { ...spoofed, sideEffects: { landedIn: ['acme'], foreignChanged: [] } }), rules).verdict).toBe('fail-open');
    expect(judgeProbe(obs(200, { items: [{ n: 'public news' }] }, spoofed), rules)).toMatchObject({ verdict: 'pass', reason: 'public-operation' });
  });
  it('a shared read shows every tenant by design; a shared write that lands elsewhere is still a leak', () => {
    const legit = { family: 'cross-tenant' as const, credential: 'legit' as const, actor: 'acme' };
    const read = obs(200, { items: [{ n: 'ta-canary-globex-1' }] }, { ...legit, operation: { shared: true } });
    expect(judgeProbe(read, rules)).toMatchObject({ verdict: 'pass', reason: 'shared-operation' });
    expect(judgeProbe({ ...read, operation: undefined }, rules).verdict).toBe('leak');
    const write = obs(201, { id: 'x' }, { ...legit, operation: { shared: true, write: true }, sideEffects: { landedIn: ['globex'], foreignChanged: [] } });
    expect(judgeProbe(write, rules).verdict).toBe('leak');
    const control = { actor: 'acme', canaries, outcome: read.outcome, expectOwnCanary: false };
    expect(judgeControl(control).verdict).toBe('leak');
    expect(judgeControl({ ...control, shared: true }).verdict).toBe('pass');
  });
  it('never passes a rejected write whose effect could not be read back', () => {
    const write = obs(401, { error: 'no' }, { sideEffects: { landedIn: [], foreignChanged: [], unverified: 'operation create has no `verify` operation' } });
    expect(judgeProbe(write, rules)).toMatchObject({ verdict: 'inconclusive', reason: 'write-not-read-back' });
    expect(judgeProbe({ ...write, sideEffects: { landedIn: [], foreignChanged: [] } }, rules).verdict).toBe('pass');
    // What was seen still counts: a write shown landing elsewhere is judged as such.
    expect(judgeProbe({ ...write, sideEffects: { landedIn: ['globex'], foreignChanged: [], unverified: 'x' } }, rules).verdict).toBe('fail-open');
  });
});
