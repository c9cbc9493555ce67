import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { TENANTS, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { REFERENCE_CONFIG } from './audit-reference.ts';

/**
 * Writes a copy of the reference config into `dir` with a `database:` section reading the target's app-role URL
 * from `envName` (so the section's `env:` reference is exercised) and the issuer key as an absolute `file:` path.
 */
export async function writeAssessmentConfig(dir: string, envName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const config = YAML.parse(await fs.readFile(REFERENCE_CONFIG, 'utf8')) as Record<string, any>;
  config.identity.tokens.key.jwk = `file:${path.resolve(path.dirname(REFERENCE_CONFIG), config.identity.tokens.key.jwk.slice(5))}`;
  delete config.$schema;
  config.database = { url: `env:${envName}`, tenantSetting: 'app.tenant_id' };
  Object.assign(config, extra);
  const file = path.join(dir, 'tenancy-audit.config.yaml');
  await fs.writeFile(file, YAML.stringify(config));
  return file;
}

/** A project (created with an idempotency key) and a document per tenant, so the data-layer proofs have rows of every tenant to look for. */
export async function seedSampleData(target: RunningTarget): Promise<void> {
  for (const tenant of TENANTS) {
    const headers = { authorization: `Bearer ${await target.issuer.mint({ tenant_id: tenant })}`, 'content-type': 'application/json' };
    // With an idempotency key, so every tenant also has a row in the idempotency table.
    const project = await fetch(`${target.url}/projects`, { method: 'POST', headers: { ...headers, 'idempotency-key': `seed-${tenant}` }, body: JSON.stringify({ name: `${tenant} roadmap` }) });
    const { id } = (await project.json()) as { id: string };
    await fetch(`${target.url}/projects/${id}/documents`, { method: 'POST', headers, body: JSON.stringify({ title: `${tenant} notes`, body: `internal notes of ${tenant}` }) });
  }
}
