import { describe, expect, it } from 'vitest';
import { judgeControl, judgeLegit, judgeProbe, type JudgeRules, type ProbeObservation } from './index.ts';

const rules: JudgeRules = {
  rejectStatuses: [400, 401, 403, 404, 422],
  rejectBodies: [{ jsonPath: 'errors', nonEmpty: true }],
  emptyPaths: ['$', 'items'],
};
const canaries = { acme: ['ta-canary-acme-1'], globex: ['ta-canary-globex-1'] };

function obs(status: number, body: unknown, overrides: Partial<ProbeObservation> = {}): ProbeObservation {
  return {
    family: 'mismatched',
    credential: 'legit',
    actor: 'acme',
    canaries,
    outcome: { kind: 'response', response: { status, headers: {}, bodyText: typeof body === 'string' ? body : JSON.stringify(body) } },
    ...overrides,
  };
}

describe('judgeProbe', () => {
  it.each([
    ['401 rejection', obs(401, { error: 'no' }), 'pass', 'rejected'],
    ['GraphQL errors on 200', obs(200, { errors: [{ message: 'forbidden' }] }), 'pass', 'rejected'],
    ['foreign canary on 200', obs(200, { items: [{ name: 'ta-canary-globex-1' }] }), 'leak', 'canary-foreign'],
    ['foreign canary even inside a 404', obs(404, { hint: 'ta-canary-globex-1' }), 'leak', 'canary-foreign'],
    ['foreign canary in a header', { ...obs(200, {}), outcome: { kind: 'response', response: { status: 200, headers: { 'x-owner': 'ta-canary-globex-1' }, bodyText: '' } } } as ProbeObservation, 'leak', 'canary-foreign'],
    ['any canary without identity', obs(200, { items: [{ n: 'ta-canary-acme-1' }] }, { actor: null, credential: 'invalid', family: 'missing' }), 'fail-open', 'canary-without-identity'],
    ['invalid credential served own data', obs(200, { items: [{ n: 'ta-canary-acme-1' }] }, { credential: 'invalid', family: 'spoofed' }), 'fail-open', 'accepted-invalid-credential'],
    ['invalid credential served non-empty data', obs(200, { id: 'x', name: 'other' }, { credential: 'invalid', family: 'spoofed' }), 'fail-open', 'accepted-invalid-credential'],
    ['invalid credential with empty list', obs(200, { items: [] }, { actor: null, credential: 'invalid', family: 'missing' }), 'soft-fail', 'accepted-empty'],
    ['invalid credential with empty array', obs(200, [], { actor: null, credential: 'invalid', family: 'missing' }), 'soft-fail', 'accepted-empty'],
    ['mismatched assertion ignored', obs(200, { items: [{ n: 'ta-canary-acme-1' }] }), 'soft-fail', 'assertion-ignored'],
    ['foreign reference accepted without data', obs(200, { ok: true }, { family: 'cross-tenant' }), 'soft-fail', 'accepted-foreign-reference'],
    ['500 closes by error', obs(500, 'boom'), 'closed-by-error', 'server-error'],
    ['429 is inconclusive', obs(429, ''), 'inconclusive', 'rate-limited'],
    ['unconfigured 409 is inconclusive, never pass', obs(409, {}), 'inconclusive', 'unrecognised-status'],
    ['write landed in another tenant', obs(201, { id: 'n' }, { sideEffects: { landedIn: ['globex'], foreignChanged: [] } }), 'leak', 'write-landed-foreign'],
    ['foreign object changed though 404', obs(404, {}, { family: 'cross-tenant', sideEffects: { landedIn: [], foreignChanged: ['globex'] } }), 'leak', 'foreign-data-changed'],
    ['write without identity landed in a tenant', obs(201, { id: 'n' }, { actor: null, credential: 'invalid', family: 'missing', sideEffects: { landedIn: ['acme'], foreignChanged: [] } }), 'fail-open', 'write-without-identity'],
    ['write landed in own tenant is just ignored', obs(201, { id: 'n' }, { sideEffects: { landedIn: ['acme'], foreignChanged: [] } }), 'soft-fail', 'assertion-ignored'],
  ])('%s', (_name, observation, verdict, reason) => {
    const judgement = judgeProbe(observation, rules);
    expect(judgement.verdict).toBe(verdict);
    expect(judgement.reason).toBe(reason);
  });

  it('a timeout is inconclusive, never a pass', () => {
    const judgement = judgeProbe(
      { ...obs(200, {}), outcome: { kind: 'failure', failure: { kind: 'timeout', message: 'no answer in 5000 ms' } } },
      rules,
    );
    expect(judgement).toMatchObject({ verdict: 'inconclusive', reason: 'transport-timeout' });
  });

  it('does not treat a non-empty envelope as empty', () => {
    const judgement = judgeProbe(obs(200, { items: [], name: 'secret-report' }, { credential: 'invalid', actor: null, family: 'missing' }), rules);
    expect(judgement.verdict).toBe('fail-open');
  });
});

describe('judgeControl', () => {
  const base = { actor: 'acme', canaries, expectOwnCanary: true } as const;
  const response = (status: number, body: unknown) => ({ kind: 'response' as const, response: { status, headers: {}, bodyText: JSON.stringify(body) } });

  it('is live when the legit request succeeds and shows its own canary', () => {
    expect(judgeControl({ ...base, outcome: response(200, { items: ['ta-canary-acme-1'] }) }).verdict).toBe('pass');
  });
  it('is inconclusive when the legit request is rejected', () => {
    expect(judgeControl({ ...base, outcome: response(401, {}) })).toMatchObject({ verdict: 'inconclusive', reason: 'control-rejected' });
  });
  it('is inconclusive when its own canary is missing', () => {
    expect(judgeControl({ ...base, outcome: response(200, { items: [] }) })).toMatchObject({ verdict: 'inconclusive', reason: 'control-canary-missing' });
  });
  it('is a leak when the legit request shows another tenant', () => {
    expect(judgeControl({ ...base, outcome: response(200, ['ta-canary-acme-1', 'ta-canary-globex-1']) }).verdict).toBe('leak');
  });
  it('is inconclusive when a legit write is not visible afterwards', () => {
    expect(judgeControl({ ...base, expectOwnCanary: false, landedInOwn: false, outcome: response(201, {}) }).reason).toBe('control-write-not-visible');
  });
});

describe('judgeLegit (a legit request on an async or retry path)', () => {
  const outcome = (status: number, body: unknown) => ({ kind: 'response' as const, response: { status, headers: {}, bodyText: JSON.stringify(body) } });
  it('passes a 2xx that shows only the actor\'s data', () => {
    expect(judgeLegit({ actor: 'acme', canaries, outcome: outcome(200, { output: 'ta-canary-acme-1' }) })).toMatchObject({ verdict: 'pass', reason: 'legit-accepted' });
  });
  it('is a leak when the result carries another tenant\'s canary', () => {
    expect(judgeLegit({ actor: 'acme', canaries, outcome: outcome(200, { output: 'ta-canary-globex-1' }) })).toMatchObject({ verdict: 'leak', reason: 'canary-foreign' });
  });
  it('is inconclusive, never a pass, when the legit request is rejected or times out', () => {
    expect(judgeLegit({ actor: 'acme', canaries, outcome: outcome(403, {}) }).verdict).toBe('inconclusive');
    expect(judgeLegit({ actor: 'acme', canaries, outcome: { kind: 'failure', failure: { kind: 'timeout', message: 'slow' } } }).verdict).toBe('inconclusive');
  });
});
