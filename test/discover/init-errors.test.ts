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
