import path from 'node:path';
import fs from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ConfigError } from '../core/errors.ts';
import { tokenSourceOf } from '../identity/credentials.ts';
import { resolveConfig } from './load.ts';

const EXAMPLE = path.resolve('examples/reference-target/tenancy-audit.config.yaml');
let example: Record<string, any>;
beforeAll(async () => {
  example = YAML.parse(await fs.readFile(EXAMPLE, 'utf8')) as Record<string, any>;
});

function withTokens(tokens: unknown, extra: Record<string, unknown> = {}): unknown {
  const copy = structuredClone(example);
  copy['identity'] = { tokens, ...extra };
  return copy;
}

async function issuesOf(raw: unknown, env: NodeJS.ProcessEnv = {}) {
  const error = await resolveConfig(raw, { dir: path.dirname(EXAMPLE), env }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
}

const OAUTH2 = {
  kind: 'oauth2',
  tokenUrl: 'https://idp.example.com/oauth/token',
  scope: 'api',
  params: { a: '1' },
  clients: {
    acme: { clientId: 'svc-acme', clientSecret: 'env:TA_T_ACME_SECRET', params: { b: '2' } },
    globex: { clientId: 'svc-globex', clientSecret: 'env:TA_T_GLOBEX_SECRET', scope: 'other', tokenUrl: 'http://127.0.0.1:9/token' },
  },
};
const ENV = { TA_T_ACME_SECRET: 'acme-secret-value', TA_T_GLOBEX_SECRET: 'globex-secret-value' };

describe('identity.tokens: oauth2', () => {
  it('resolves the client secrets, redacts them, merges shared and per-client settings', async () => {
    const config = await resolveConfig(withTokens(OAUTH2), { dir: path.dirname(EXAMPLE), env: ENV });
    expect(config.secrets).toEqual(expect.arrayContaining(['acme-secret-value', 'globex-secret-value']));
    expect(JSON.stringify(config.redacted)).not.toMatch(/secret-value/);
    expect((config.redacted.identity.tokens as { clients: Record<string, { clientSecret: string }> }).clients['acme']!.clientSecret).toBe('env:TA_T_ACME_SECRET');
    expect(config.identity.refresh).toBe(true);
    const source = tokenSourceOf(config);
    expect(source).toMatchObject({
      kind: 'oauth2',
      clientAuth: 'client_secret_basic',
      clients: {
        acme: { tokenUrl: OAUTH2.tokenUrl, clientSecret: 'acme-secret-value', scope: 'api', params: { a: '1', b: '2' } },
        globex: { tokenUrl: 'http://127.0.0.1:9/token', scope: 'other', params: { a: '1' } },
      },
    });
  });

  it('path-exact errors: missing token URL, non-http URL, unset env secret, missing client, bad clientAuth', async () => {
    const noUrl = { ...OAUTH2, tokenUrl: undefined, clients: { ...OAUTH2.clients, acme: { clientId: 'x', clientSecret: 'env:TA_T_ACME_SECRET' } } };
    expect(await issuesOf(withTokens(noUrl), ENV)).toEqual(['identity.tokens.clients.acme.tokenUrl: no token URL: set identity.tokens.tokenUrl or this client\'s tokenUrl']);
    expect(await issuesOf(withTokens({ ...OAUTH2, tokenUrl: 'ftp://idp/token' }), ENV)).toEqual([expect.stringMatching(/^identity\.tokens\.tokenUrl: expected an absolute http/)]);
    expect(await issuesOf(withTokens(OAUTH2), { TA_T_ACME_SECRET: 'x-set' })).toEqual(['identity.tokens.clients.globex.clientSecret: environment variable TA_T_GLOBEX_SECRET is not set']);
    expect(await issuesOf(withTokens({ ...OAUTH2, clients: { acme: OAUTH2.clients.acme } }), ENV)).toEqual([expect.stringMatching(/^identity\.tokens\.clients\.globex: no OAuth client/)]);
    expect((await issuesOf(withTokens({ ...OAUTH2, clientAuth: 'private_key_jwt' }), ENV))[0]).toMatch(/^identity\.tokens\.clientAuth/);
  });

  it('identity.refresh: false is accepted', async () => {
    const config = await resolveConfig(withTokens(OAUTH2, { refresh: false }), { dir: path.dirname(EXAMPLE), env: ENV });
    expect(config.identity.refresh).toBe(false);
  });
});

describe('identity.tokens: login', () => {
  const LOGIN = {
    kind: 'login',
    url: 'https://app.example.com/api/login',
    headers: { 'X-Api-Key': 'env:TA_T_LOGIN_KEY' },
    body: { user: '{{user}}', password: '{{password}}' },
    values: { acme: { user: 'a@acme.test', password: 'env:TA_T_ACME_SECRET' }, globex: { user: 'g@globex.test', password: 'env:TA_T_GLOBEX_SECRET' } },
    token: { jsonPath: 'data.token' },
    expiresInPath: 'data.expires_in',
  };

  it('resolves secret values and headers, keeps literal values, registers secrets', async () => {
    const config = await resolveConfig(withTokens(LOGIN), { dir: path.dirname(EXAMPLE), env: { ...ENV, TA_T_LOGIN_KEY: 'login-api-key' } });
    expect(config.secrets).toEqual(expect.arrayContaining(['acme-secret-value', 'login-api-key']));
    expect(JSON.stringify(config.redacted)).not.toMatch(/secret-value|login-api-key/);
    expect(tokenSourceOf(config)).toMatchObject({ kind: 'login', method: 'POST', values: { acme: { user: 'a@acme.test', password: 'acme-secret-value' } }, headers: { 'X-Api-Key': 'login-api-key' } });
  });

  it('path-exact errors: non-http URL, unset env value, missing tenant values, body and form together', async () => {
    const env = { ...ENV, TA_T_LOGIN_KEY: 'k-key' };
    expect(await issuesOf(withTokens({ ...LOGIN, url: 'javascript:alert(1)' }), env)).toEqual([expect.stringMatching(/^identity\.tokens\.url: expected an absolute http/)]);
    expect(await issuesOf(withTokens(LOGIN), { ...env, TA_T_GLOBEX_SECRET: '' })).toEqual(['identity.tokens.values.globex.password: environment variable TA_T_GLOBEX_SECRET is not set']);
    expect(await issuesOf(withTokens({ ...LOGIN, values: { acme: LOGIN.values.acme } }), env)).toEqual(['identity.tokens.values.globex: no login values for tenant "globex"']);
    expect(await issuesOf(withTokens({ ...LOGIN, form: { a: 'b' } }), env)).toEqual(['identity.tokens.form: give the login body as `body` (JSON) or `form`, not both']);
  });
});
