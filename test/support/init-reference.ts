import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initConfig, type InitResult } from '../../src/index.ts';
import { loadTestIssuer } from '../../examples/reference-target/src/issuer.ts';
import type { RunningTarget } from '../../examples/reference-target/src/index.ts';

/** The reference target's test secrets (the same the hand-written config names): the "hand edit" of the placeholders. */
export const REFERENCE_SECRETS = {
  callbackSecrets: { acme: 'callback-secret-acme', globex: 'callback-secret-globex' },
  webhookSecrets: { '*': 'provider-secret-dev' },
};

/** Real tokens from the target's own issuer, in environment variables as a user would give them. */
export async function referenceTokens(prefix = 'TA_INIT'): Promise<{ env: Record<string, string>; tenants: string[] }> {
  const issuer = await loadTestIssuer();
  const env = {
    [`${prefix}_ACME`]: await issuer.mint({ tenant_id: 'acme' }, { expiresIn: '50m' }),
    [`${prefix}_GLOBEX`]: await issuer.mint({ tenant_id: 'globex' }, { expiresIn: '50m' }),
  };
  Object.assign(process.env, env);
  return { env, tenants: [`acme=env:${prefix}_ACME`, `globex=env:${prefix}_GLOBEX`] };
}

/** `init` from the running target's own /openapi.json, written to a temporary file. */
export async function initFromReference(target: RunningTarget, options: { secrets?: boolean } = {}): Promise<InitResult & { file: string }> {
  const { tenants } = await referenceTokens();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-init-'));
  const result = await initConfig({
    openapi: `${target.url}/openapi.json`,
    baseUrl: target.url,
    tenants,
    out: path.join(dir, 'tenancy-audit.config.yaml'),
    ...(options.secrets === false ? {} : REFERENCE_SECRETS),
  });
  return result as InitResult & { file: string };
}
