import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ConfigError } from '../core/errors.ts';
import { loadConfig, resolveConfig } from './load.ts';
import { configJsonSchema } from './schema.ts';

const EXAMPLE = path.resolve('examples/reference-target/tenancy-audit.config.yaml');
let dir: string;
let example: Record<string, unknown>;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-config-'));
  example = YAML.parse(await fs.readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function issuesOf(raw: unknown, env: NodeJS.ProcessEnv = {}) {
  try {
    await resolveConfig(raw, { dir: path.dirname(EXAMPLE), env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected the config to be rejected');
}

function variant(mutate: (c: any) => void): unknown {
  const copy = structuredClone(example);
  mutate(copy);
  return copy;
}

describe('loadConfig', () => {
  it('loads the reference example, resolves its key file and hashes the redacted form', async () => {
    const config = await loadConfig(EXAMPLE);
    expect(config.tenants.map((t) => t.id)).toEqual(['acme', 'globex']);
    expect(config.identity.tokens.kind === 'mint' && typeof config.identity.tokens.key.jwk).toBe('object');
    expect(JSON.stringify(config.redacted)).not.toContain('"d"');
    expect(config.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(config.secrets.length).toBeGreaterThan(0);
  });

  it.each([
    ['a wrong type', (c: any) => (c.operations[1].method = 'FETCH'), 'operations[1].method'],
    ['a missing base URL', (c: any) => delete c.target.baseUrl, 'target.baseUrl'],
    ['a non-number timeout', (c: any) => (c.target.timeoutMs = 'soon'), 'target.timeoutMs'],
    ['one tenant only', (c: any) => (c.tenants = [{ id: 'acme' }]), 'tenants'],
    ['an unknown fixture', (c: any) => (c.operations[0].fixture = 'projekt'), 'operations[0].fixture'],
    ['an unknown verify operation', (c: any) => (c.operations[6].verify = 'list-project'), 'operations[6].verify'],
    ['an unknown token kind', (c: any) => (c.identity.tokens.kind = 'magic'), 'identity.tokens.kind'],
  ])('names the exact path for %s', async (_name, mutate, expectedPath) => {
    const issues = await issuesOf(variant(mutate));
    expect(issues.map((i) => i.path)).toContain(expectedPath);
  });

  it('suggests the key that was meant for an unknown key', async () => {
    const issues = await issuesOf(variant((c) => ((c.tenents = c.tenants), (c.operations[0].methd = 'GET'))));
    expect(issues).toContainEqual(expect.objectContaining({ path: 'tenents', message: expect.stringContaining('did you mean "tenants"') }));
    expect(issues).toContainEqual(expect.objectContaining({ path: 'operations[0].methd', message: expect.stringContaining('did you mean "method"') }));
  });

  it('resolves env: secrets and never puts their values in messages or the redacted config', async () => {
    const raw = variant((c) => {
      c.identity.tokens = { kind: 'static', tokens: { acme: 'env:ACME_TOKEN', globex: 'env:GLOBEX_TOKEN' } };
    });
    const config = await resolveConfig(raw, { dir, env: { ACME_TOKEN: 'tok-acme-very-secret', GLOBEX_TOKEN: 'tok-globex-very-secret' } });
    expect(config.identity.tokens.kind === 'static' && config.identity.tokens.tokens['acme']).toBe('tok-acme-very-secret');
    expect(JSON.stringify(config.redacted)).not.toContain('very-secret');
    expect(config.secrets).toEqual(expect.arrayContaining(['tok-acme-very-secret', 'tok-globex-very-secret']));
    const issues = await issuesOf(raw, { ACME_TOKEN: 'tok-acme-very-secret' });
    expect(issues).toEqual([expect.objectContaining({ path: 'identity.tokens.tokens.globex', message: 'environment variable GLOBEX_TOKEN is not set' })]);
  });

  it.each([
    ['broken YAML', 'target: [unclosed', /invalid YAML at line 1/],
    ['an empty file', '  \n', /empty/],
    ['binary garbage', '\u0000\u0001\u0002PNG', /binary/],
    ['a list at the top', '- a\n- b\n', /expected a mapping/],
    ['an alias bomb', `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`, /invalid YAML|alias/i],
  ])('refuses %s with a clear message', async (_name, text, message) => {
    const file = path.join(dir, `bad-${Math.random().toString(16).slice(2)}.yaml`);
    await fs.writeFile(file, text);
    const attempt = loadConfig(file);
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('says where to look when no config file exists', async () => {
    await expect(loadConfig(path.join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'TA_CONFIG_NOT_FOUND' });
  });

  it('keeps the committed JSON Schema in step with the config source', async () => {
    const committed = JSON.parse(await fs.readFile('src/config/config.schema.json', 'utf8'));
    expect(committed, 'run `npm run schema:write` after changing src/config/schema.ts').toEqual(configJsonSchema());
    expect(Object.keys((committed as { properties: object }).properties)).toEqual(expect.arrayContaining(['target', 'identity', 'tenants', 'operations']));
  });
});
