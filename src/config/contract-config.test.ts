import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ConfigError } from '../core/errors.ts';
import { resolveConfig } from './load.ts';

const EXAMPLE = path.resolve('examples/reference-target/tenancy-audit.config.yaml');
let dir: string;
let example: Record<string, any>;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-contract-config-'));
  example = YAML.parse(await fs.readFile(EXAMPLE, 'utf8')) as Record<string, any>;
  example.identity.tokens.key.jwk = `file:${path.resolve('examples/reference-target/fixtures/issuer.private.jwk.json')}`;
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function rejected(raw: unknown) {
  try {
    await resolveConfig(raw, { dir });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected the config to be rejected');
}

describe('file: secrets', () => {
  it('lose one trailing newline (what editors and echo add), so an HMAC over them is right', async () => {
    await fs.writeFile(path.join(dir, 'hook.secret'), 'provider-secret-dev\n');
    const config = await resolveConfig({ ...example, webhooks: [{ ...example.webhooks[0], signature: { ...example.webhooks[0].signature, secret: 'file:hook.secret' } }] }, { dir });
    expect(config.webhooks[0]!.signature.secret).toBe('provider-secret-dev');
  });
  it('keep every byte with raw: true', async () => {
    await fs.writeFile(path.join(dir, 'raw.secret'), 'provider-secret-dev\n');
    const signature = { ...example.webhooks[0].signature, secret: 'file:raw.secret', raw: true };
    const config = await resolveConfig({ ...example, webhooks: [{ ...example.webhooks[0], signature }] }, { dir });
    expect(config.webhooks[0]!.signature.secret).toBe('provider-secret-dev\n');
  });
});

describe('waivers', () => {
  const waiver = { suite: 'identity.missing', reason: 'fix in Q1', owner: 'alice@example.com', expires: '2030-01-31' };
  it('without expires is rejected at the exact path', async () => {
    const { expires: _e, ...noExpiry } = waiver;
    const error = await rejected({ ...example, waivers: [waiver, noExpiry] });
    expect(error.issues.map((i) => i.path)).toEqual(['waivers[1].expires']);
  });
  it('may live in a separate file; a problem there names that file and the path', async () => {
    await fs.writeFile(path.join(dir, 'waivers.yaml'), YAML.stringify([waiver]));
    const config = await resolveConfig({ ...example, waivers: 'waivers.yaml' }, { dir });
    expect(config.waivers).toEqual([waiver]);
    await fs.writeFile(path.join(dir, 'bad-waivers.yaml'), YAML.stringify({ waivers: [{ ...waiver, owner: undefined }] }));
    const error = await rejected({ ...example, waivers: 'bad-waivers.yaml' });
    expect(error.file).toBe(path.join(dir, 'bad-waivers.yaml'));
    expect(error.issues.map((i) => i.path)).toEqual(['waivers[0].owner']);
  });
  it('rejects an expiry that is not a date', async () => {
    const error = await rejected({ ...example, waivers: [{ ...waiver, expires: 'next year' }] });
    expect(error.issues.map((i) => i.path)).toEqual(['waivers[0].expires']);
  });
});

describe('scope, accept and operation contracts', () => {
  it('need a reason for every declaration', async () => {
    const error = await rejected({ ...example, scope: { paths: [{ path: 'callback' }] }, accept: [{ mutation: 'wrong-issuer' }] });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['accept[0].reason', 'scope.paths[0].reason']);
  });
  it('refuse an accept rule or a waiver that names nothing to match (it would cover every finding)', async () => {
    const error = await rejected({ ...example, accept: [{ reason: 'all of it' }], waivers: [{ reason: 'r', owner: 'o', expires: '2026-12-31' }] });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['accept[0]', 'waivers[0]']);
  });
  it('refuse a rejection.redirects pattern that is not a regular expression (exit 2, not a crash mid-run)', async () => {
    const error = await rejected({ ...example, rejection: { redirects: '^https://login(' } });
    expect(error.issues.map((i) => i.path)).toEqual(['rejection.redirects']);
  });
  it('check operation channels are channel kinds', async () => {
    const operations = [{ ...example.operations[0], channels: ['bdy'] }, ...example.operations.slice(1)];
    const error = await rejected({ ...example, operations });
    expect(error.issues.map((i) => i.path)).toEqual(['operations[0].channels[0]']);
  });
});
