/**
 * A 401 on a positive control: the token endpoint's first access token is signed with a key the reference target
 * does not trust, so the first control of that tenant is answered 401. The run asks the oauth2 source to refresh the
 * token once, retries the control once, and records both exchanges and the refresh as steps; the controls are live.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.ts';
import type { AuditEvent } from '../../src/core/events.ts';
import { readEvidence } from '../../src/evidence/index.ts';
import { createTokenProvider, tokenProviderOptionsOf, tokenSourceOf } from '../../src/identity/index.ts';
import { run } from '../../src/run/run.ts';
import { startReferenceTarget, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { startTokenServer, type TokenServer } from '../support/oauth-server.ts';
import { REFERENCE_CONFIG } from '../safety/helpers.ts';

let tmp: string;
let server: TokenServer;
let target: RunningTarget;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-control-refresh-'));
  server = await startTokenServer({ clients: { a: { secret: 'secret-a-123', tenant: 'acme' }, g: { secret: 'secret-g-123', tenant: 'globex' } }, lifetimeSeconds: 600 });
  target = await startReferenceTarget({ mode: 'fail-closed' });
});
afterAll(async () => {
  await Promise.allSettled([target?.stop(), server?.stop()]);
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

async function configWith(refresh: boolean) {
  const raw = YAML.parse(await fs.readFile(REFERENCE_CONFIG, 'utf8')) as Record<string, any>;
  raw['identity'] = {
    refresh,
    tokens: { kind: 'oauth2', tokenUrl: server.tokenUrl, clientAuth: 'client_secret_post', clients: { acme: { clientId: 'a', clientSecret: 'env:TA_CR_A' }, globex: { clientId: 'g', clientSecret: 'env:TA_CR_G' } } },
  };
  return resolveConfig(raw, { file: REFERENCE_CONFIG, env: { TA_CR_A: 'secret-a-123', TA_CR_G: 'secret-g-123' } });
}

describe('a positive control answered 401', () => {
  it('refreshes that tenant token once, retries the control once, records it; the run stays live', async () => {
    // The fixtures are made with trusted tokens. When the controls phase starts, the provider's clock jumps once (the
    // cached token looks due for refresh) and the endpoint signs its next token with an untrusted key.
    const config = await configWith(true);
    let jump = false;
    const provider = createTokenProvider(tokenSourceOf(config), { ...tokenProviderOptionsOf(config), now: () => (jump ? ((jump = false), Date.now() + 3_600_000) : Date.now()) });
    const onEvent = (e: AuditEvent) => {
      if (e.type === 'phase' && e.name === 'controls' && server.issued.length === 2) [jump, server.untrustNext] = [true, 1];
    };
    const result = await run({ config, provider, onEvent, target: target.url, reportDir: path.join(tmp, 'on'), seed: 7, runs: 2, suites: ['identity.missing'] });
    const { records } = await readEvidence(result.dir);
    const retried = records.filter((r) => r.kind === 'control' && r.steps?.some((s) => s.title.includes('refreshed once, control retried once')));
    expect(result.manifest.identity).toMatchObject({ source: 'oauth2', forcedRefreshes: 1 });
    expect(retried.length).toBeGreaterThan(0);
    expect(retried[0]!.verdict).toBe('pass');
    expect(retried[0]!.steps!.map((s) => s.response?.status ?? s.title)).toEqual([401, expect.stringContaining('HTTP 401: token of'), expect.any(Number)]);
    expect(result.exitCode).toBe(0);
  });
});
