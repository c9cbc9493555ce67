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
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-config-transport-'));
  example = YAML.parse(await fs.readFile(EXAMPLE, 'utf8')) as Record<string, any>;
  await fs.copyFile(path.join(path.dirname(EXAMPLE), 'fixtures/issuer.private.jwk.json'), path.join(dir, 'issuer.jwk.json'));
  await fs.writeFile(path.join(dir, 'ca.pem'), 'CA PEM');
  await fs.writeFile(path.join(dir, 'client.pem'), 'CLIENT CERT PEM');
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

function withTarget(target: Record<string, unknown>) {
  const copy = structuredClone(example);
  copy.identity.tokens.key.jwk = 'file:issuer.jwk.json';
  copy.target = { ...copy.target, ...target };
  return copy;
}

describe('target.proxy and target.tls', () => {
  it('ca and cert are read from file:, the key from env: is a secret; the proxy password never reaches the redacted config', async () => {
    const config = await resolveConfig(
      withTarget({ proxy: 'http://user:pr0xy-pass@proxy.internal:3128', tls: { ca: 'file:ca.pem', cert: 'file:client.pem', key: 'env:CLIENT_KEY', insecure: true } }),
      { dir, env: { CLIENT_KEY: 'PRIVATE KEY PEM' } },
    );
    expect(config.target.tls).toEqual({ ca: 'CA PEM', cert: 'CLIENT CERT PEM', key: 'PRIVATE KEY PEM', insecure: true });
    expect(config.target.proxy).toBe('http://user:pr0xy-pass@proxy.internal:3128');
    expect(config.secrets).toEqual(expect.arrayContaining(['PRIVATE KEY PEM', 'pr0xy-pass']));
    expect(config.redacted.target.tls).toEqual({ ca: 'file:ca.pem', cert: 'file:client.pem', key: 'env:CLIENT_KEY', insecure: true });
    expect(config.redacted.target.proxy).toBe('http://proxy.internal:3128');
    expect(JSON.stringify(config.redacted)).not.toMatch(/pr0xy-pass|PRIVATE KEY PEM/);
  });

  it('a literal key is shown as [secret]; cert without key and a non-HTTP proxy are config issues', async () => {
    const config = await resolveConfig(withTarget({ tls: { cert: 'file:client.pem', key: 'literal-key-material' } }), { dir, env: {} });
    expect(config.redacted.target.tls?.key).toBe('[secret]');
    const issues = async (target: Record<string, unknown>) => {
      try {
        await resolveConfig(withTarget(target), { dir, env: {} });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues.map((i) => i.path);
      }
      throw new Error('expected the config to be rejected');
    };
    expect(await issues({ tls: { cert: 'file:client.pem' } })).toEqual(['target.tls']);
    expect(await issues({ proxy: 'socks5://proxy.internal:1080' })).toEqual(['target.proxy']);
    expect(await issues({ tls: { ca: 'file:missing.pem' } })).toEqual(['target.tls.ca']);
  });
});
