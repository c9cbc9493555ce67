import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestIssuer } from '../../examples/reference-target/src/issuer.ts';
import { cli } from '../support/cli.ts';

let dir: string;
let env: Record<string, string>;
const TENANTS = ['--tenant', 'acme=env:TA_ERR_ACME', '--tenant', 'globex=env:TA_ERR_GLOBEX'];

const spec = (paths: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  openapi: '3.1.0',
  info: { title: 'Errors', version: '1' },
  security: [{ bearer: [] }],
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  paths,
  ...extra,
});
const ok = { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } } } } };
const GOOD = spec({ '/notes': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } } }, responses: ok } }, '/notes/{id}': { get: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok } } });

async function write(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

async function init(args: string[], extraEnv: Record<string, string> = {}) {
  return cli(['init', '--base-url', 'http://127.0.0.1:9', '--stdout', ...args], { env: { ...env, ...extraEnv }, timeoutMs: 60_000 });
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-init-errors-'));
  const issuer = await loadTestIssuer();
  env = { TA_ERR_ACME: await issuer.mint({ tenant_id: 'acme' }), TA_ERR_GLOBEX: await issuer.mint({ tenant_id: 'globex' }) };
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('tenancy-audit init: bad input exits 2 with a precise message, before any request to the target', () => {
  it('a good description works (the twin of every error below)', async () => {
    const out = await init(['--openapi', await write('good.json', GOOD), ...TENANTS]);
    expect(out.code, out.out).toBe(0);
    expect(out.out).toContain('kind: create');
    expect(out.out).toContain('tenantClaim: tenant_id');
  });

  it('unparseable JSON names the position', async () => {
    const out = await init(['--openapi', await write('broken.json', '{ "openapi": "3.1.0", "info": '), ...TENANTS]);
    expect(out.code).toBe(2);
    expect(out.out).toMatch(/TA_SPEC_INVALID: OpenAPI description .*broken\.json: invalid JSON/);
  });

  it('unparseable YAML names the line', async () => {
    const out = await init(['--openapi', await write('broken.yaml', 'openapi: 3.1.0\ninfo:\n  title: [unclosed\n'), ...TENANTS]);
    expect(out.code).toBe(2);
    expect(out.out).toMatch(/invalid YAML at line \d+, column \d+/);
  });

  it('an invalid description names the path of the error', async () => {
    const bad = spec({ '/notes': { get: { parameters: [{ name: 'q', in: 'qurey' }], responses: ok } } });
    const out = await init(['--openapi', await write('invalid.json', bad), ...TENANTS]);
    expect(out.code).toBe(2);
    expect(out.out).toContain('invalid at paths."/notes".get.parameters[0]');
  });

  it('a broken $ref names the pointer', async () => {
    const bad = spec({ '/notes': { get: { responses: { '200': { $ref: '#/components/responses/Missing' } } } } });
    const out = await init(['--openapi', await write('ref.json', bad), ...TENANTS]);
    expect(out.code).toBe(2);
    expect(out.out).toContain('#/components/responses/Missing');
  });

  it('not an OpenAPI document', async () => {
    const out = await init(['--openapi', await write('other.json', { name: 'package' }), ...TENANTS]);
    expect(out.code).toBe(2);
    expect(out.out).toContain('neither an `openapi` nor a `swagger` version field');
  });

  it('an unreachable URL', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r)); // the port is now closed
    const out = await init(['--openapi', `http://127.0.0.1:${port}/openapi.json`, ...TENANTS]);
    expect(out.code).toBe(2);
    expect(out.out).toContain(`--openapi http://127.0.0.1:${port}/openapi.json: the URL is unreachable (ECONNREFUSED)`);
  });

  it('a missing file', async () => {
    const out = await init(['--openapi', path.join(dir, 'nope.json'), ...TENANTS]);
    expect(out.code).toBe(2);
    expect(out.out).toContain('cannot read the file (ENOENT)');
  });

  it('one tenant only', async () => {
    const out = await init(['--openapi', await write('good1.json', GOOD), '--tenant', 'acme=env:TA_ERR_ACME']);
    expect(out.code).toBe(2);
    expect(out.out).toContain('one tenant only (acme): isolation needs two tenants');
  });

  it('tokens whose claims do not differ', async () => {
    const out = await init(['--openapi', await write('good2.json', GOOD), '--tenant', 'acme=env:TA_ERR_ACME', '--tenant', 'globex=env:TA_ERR_ACME']);
    expect(out.code).toBe(2);
    expect(out.out).toContain('TA_IDENTITY: the acme and globex tokens carry the same claims');
    expect(out.out).not.toContain(env['TA_ERR_ACME']!);
  });

  it('tenant ids that are not their tokens\' claim values (forgeries would assert tenants the service does not know)', async () => {
    const out = await init(['--openapi', await write('good5.json', GOOD), '--tenant', 'a=env:TA_ERR_ACME', '--tenant', 'b=env:TA_ERR_GLOBEX']);
    expect(out.code).toBe(2);
    expect(out.out).toContain('TA_USAGE: the tenant ids differ from their tokens\' tenant_id: a is acme, b is globex');
    expect(out.out).toContain('--tenant acme=… --tenant globex=…');
  });

  it('a token variable that is not set', async () => {
    const out = await init(['--openapi', await write('good3.json', GOOD), '--tenant', 'acme=env:TA_ERR_UNSET', '--tenant', 'globex=env:TA_ERR_GLOBEX']);
    expect(out.code).toBe(2);
    expect(out.out).toContain('TA_ERR_UNSET');
  });

  it('a literal token is refused (it would be written into the config)', async () => {
    const out = await init(['--openapi', await write('good4.json', GOOD), '--tenant', `acme=${env['TA_ERR_ACME']}`, ...TENANTS.slice(2)]);
    expect(out.code).toBe(2);
    expect(out.out).toContain('neither env:NAME, file:PATH nor cmd:COMMAND');
    expect(out.out).not.toContain(env['TA_ERR_ACME']!);
  });

  it('nothing tenant-scoped', async () => {
    const open = spec({ '/status': { get: { security: [], responses: ok } }, '/items/{id}': { get: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok } } });
    const out = await init(['--openapi', await write('public.json', open), ...TENANTS]);
    expect(out.code).toBe(2);
    expect(out.out).toContain('has no tenant-scoped operation');
    expect(out.out).toContain('GET /items/{id}: no create operation makes an item');
  });
});

describe('tenancy-audit init: the file and the credential forms', () => {
  it('writes --out, refuses to overwrite it without --force', async () => {
    const out = path.join(dir, 'written.config.yaml');
    const spec = await write('good5.json', GOOD);
    const first = await cli(['init', '--openapi', spec, '--base-url', 'http://127.0.0.1:9', ...TENANTS, '--out', out], { env });
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain(`wrote ${out}: 2 operations, 1 fixtures, tenant claim tenant_id`);
    expect(await fs.readFile(out, 'utf8')).toContain('# Generated by `tenancy-audit init`');
    const again = await cli(['init', '--openapi', spec, '--base-url', 'http://127.0.0.1:9', ...TENANTS, '--out', out], { env });
    expect(again.code).toBe(2);
    expect(again.out).toContain('exists');
    expect((await cli(['init', '--openapi', spec, '--base-url', 'http://127.0.0.1:9', ...TENANTS, '--out', out, '--force'], { env })).code).toBe(0);
  });

  it('cmd: credentials become one command with {{tenant}} when they differ only by the tenant id, a case otherwise', async () => {
    for (const t of ['acme', 'globex']) await fs.writeFile(path.join(dir, `${t}.tok`), env[`TA_ERR_${t.toUpperCase()}`]!);
    const spec = await write('good6.json', GOOD);
    const templated = await init(['--openapi', spec, '--tenant', `acme=cmd:cat ${dir}/acme.tok`, '--tenant', `globex=cmd:cat ${dir}/globex.tok`]);
    expect(templated.code, templated.out).toBe(0);
    expect(templated.out).toContain(`command: cat ${dir}/{{tenant}}.tok`);
    const cased = await init(['--openapi', spec, '--tenant', 'acme=cmd:printf %s "$TA_ERR_ACME"', '--tenant', 'globex=cmd:printf %s "$TA_ERR_GLOBEX"']);
    expect(cased.code, cased.out).toBe(0);
    expect(cased.out).toContain('case "$TENANCY_AUDIT_TENANT" in');
    expect(cased.out).not.toContain(env['TA_ERR_ACME']!);
  });

  it('--identity takes a token source block (here the reference issuer\'s mint) for bare tenant ids', async () => {
    const identity = await write('identity.yaml', [
      'identity:',
      '  tokens:',
      '    kind: mint',
      '    key: { alg: RS256, jwk: file:examples/reference-target/fixtures/issuer.private.jwk.json, kid: reference-issuer-1 }',
      '    issuer: https://idp.reference-target.test',
      '    audience: reference-target',
      '    tenantClaim: org_id',
      '',
    ].join('\n'));
    const out = await init(['--openapi', await write('good7.json', GOOD), '--identity', identity, '--tenant', 'acme', '--tenant', 'globex']);
    expect(out.code, out.out).toBe(0);
    expect(out.out).toContain('kind: mint');
    expect(out.out).toContain('tenantClaim: org_id');
    const bare = await init(['--openapi', await write('good8.json', GOOD), '--tenant', 'acme', '--tenant', 'globex']);
    expect(bare.code).toBe(2);
    expect(bare.out).toContain('--tenant acme: no credential');
  });
});
