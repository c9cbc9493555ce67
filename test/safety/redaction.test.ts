/**
 * Redaction: audits of the reference target (fail-closed, and a leaky mode whose findings print curl
 * reproductions) must not leave a credential in any file of the run folder (evidence, manifest, and the reports
 * when the renderer is present) or in any terminal line. Checked: every token the run minted (our own provider,
 * so `issued()` is readable), the signing key's private parts, the manifest signing key, the configured secret
 * headers, and — whoever minted it — any complete signed JWT.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.ts';
import type { ResolvedConfig } from '../../src/config/resolve.ts';
import { createTerminalReporter } from '../../src/report/renderers/terminal.ts';
import { createTokenProvider, type TokenProvider, type TokenSource } from '../../src/identity/index.ts';
import { renderReport } from '../../src/report/index.ts';
import { run } from '../../src/run/run.ts';
import { startReferenceTarget, type Mode, type RunningTarget } from '../../examples/reference-target/src/index.ts';
import { captureMain, filesBelow, REFERENCE_CONFIG, stripAnsi, tempDir, writeYaml } from './helpers.ts';

const API_KEY_ENV = 'TA_SAFETY_REDACTION_API_KEY';
const API_KEY = `apikey-${crypto.randomBytes(12).toString('hex')}`;
const TRACE_SECRET = `trace-secret-${crypto.randomBytes(12).toString('hex')}`;
/** A complete JWS/JWT with a real signature (alg:none tokens have none, and carry no secret). */
const SIGNED_JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{20,}/;

let tmp: Awaited<ReturnType<typeof tempDir>>;
let rawConfig: Record<string, unknown>;
let signKey: { pem: string; d: string };
let issuerJwk: Record<string, string>;

beforeAll(async () => {
  tmp = await tempDir('ta-safety-redaction-');
  rawConfig = YAML.parse(await fs.readFile(REFERENCE_CONFIG, 'utf8')) as Record<string, unknown>;
  const jwkFile = path.resolve(path.dirname(REFERENCE_CONFIG), 'fixtures/issuer.private.jwk.json');
  issuerJwk = JSON.parse(await fs.readFile(jwkFile, 'utf8')) as Record<string, string>;
  // Configured secrets: one from the environment, one literal under a secret-looking header name.
  rawConfig['target'] = { ...(rawConfig['target'] as object), headers: { 'X-Api-Key': `env:${API_KEY_ENV}`, 'X-Trace-Secret': TRACE_SECRET } };
  ((rawConfig['identity'] as Record<string, Record<string, Record<string, unknown>>>)['tokens']!['key']!)['jwk'] = `file:${jwkFile}`;
  const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  signKey = { pem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, d: pair.privateKey.export({ format: 'jwk' }).d! };
});
afterAll(async () => tmp?.cleanup());

function providerFor(config: ResolvedConfig): TokenProvider {
  const tokens = config.identity.tokens;
  if (tokens.kind !== 'mint' || typeof tokens.key.jwk !== 'object') throw new Error('the example config mints tokens from a JWK');
  const source: TokenSource = {
    kind: 'mint',
    key: { alg: tokens.key.alg, jwk: tokens.key.jwk, ...(tokens.key.kid ? { kid: tokens.key.kid } : {}) },
    issuer: tokens.issuer,
    audience: tokens.audience,
    tenantClaim: tokens.tenantClaim,
    expiresInSeconds: tokens.expiresInSeconds,
    ...(tokens.subject ? { subject: tokens.subject } : {}),
  };
  return createTokenProvider(source);
}

/** Every secret string that must never be written, with a label for the failure message. */
function secretsOf(config: ResolvedConfig, provider: TokenProvider): [string, string][] {
  const out: [string, string][] = [];
  for (const token of provider.issued()) {
    out.push([`minted token ${token.slice(0, 12)}…`, token]);
    const signature = token.split('.')[2] ?? '';
    if (signature.length >= 20) out.push([`signature of minted token ${token.slice(0, 12)}…`, signature]);
  }
  for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) if (issuerJwk[part]) out.push([`issuer private key "${part}"`, issuerJwk[part]]);
  for (const secret of config.secrets) out.push([`configured secret ${secret.slice(0, 6)}…`, secret]);
  out.push(['X-Api-Key value', API_KEY], ['X-Trace-Secret value', TRACE_SECRET], ['manifest signing key "d"', signKey.d]);
  for (const line of signKey.pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'))) out.push(['manifest signing key PEM line', line]);
  return out;
}

function leaksIn(texts: { where: string; text: string }[], secrets: [string, string][]): string[] {
  const found: string[] = [];
  for (const { where, text } of texts) {
    for (const [label, secret] of secrets) if (text.includes(secret)) found.push(`${label} in ${where}`);
    // The manifest's own signature is a JWS by design (public, and made with the manifest key, not a credential).
    const signature = where.endsWith('manifest.json') ? (JSON.parse(text) as { signature?: { jws?: string } }).signature?.jws : undefined;
    const jwt = SIGNED_JWT.exec(signature ? text.replace(signature, '') : text);
    if (jwt) found.push(`a signed JWT (${jwt[0].slice(0, 24)}…) in ${where}`);
  }
  return found;
}

describe.each<Mode>(['fail-closed', 'header-override'])('reference target in mode %s', (mode) => {
  let target: RunningTarget;
  beforeAll(async () => {
    target = await startReferenceTarget({ mode });
  });
  afterAll(async () => target?.stop());

  it('run(): no secret in the terminal output or any file of the run folder', async () => {
    const config = await resolveConfig(structuredClone(rawConfig), { file: REFERENCE_CONFIG, env: { ...process.env, [API_KEY_ENV]: API_KEY } });
    const provider = providerFor(config);
    const terminal: string[] = [];
    const result = await run({
      config,
      target: target.url,
      provider,
      reportDir: path.join(tmp.path, `api-${mode}`),
      seed: 4242,
      runs: 3,
      suites: ['identity', 'isolation'],
      signKey: signKey.pem,
      onEvent: createTerminalReporter({ live: false, write: (t) => terminal.push(t) }),
    });
    expect(result.exitCode).toBe(mode === 'fail-closed' ? 0 : 1);
    await renderReport(result.dir);
    const files = await filesBelow(result.dir);
    const names = files.map((f) => path.basename(f.file));
    expect(names).toEqual(expect.arrayContaining(['evidence.jsonl', 'manifest.json']));
    expect(names).toEqual(expect.arrayContaining(['report.html', 'report.md', 'junit.xml', 'summary.json']));

    const secrets = secretsOf(config, provider);
    // The run really minted tokens and really sent the secret headers: the check below is not vacuous.
    expect(provider.issued().length).toBeGreaterThan(2);
    expect(files.find((f) => f.file.endsWith('evidence.jsonl'))!.text).toMatch(/"x-api-key":"\[redacted/);
    // Findings print curl reproductions with every header: the secret headers are there, redacted.
    if (mode === 'header-override') expect(stripAnsi(terminal.join(''))).toMatch(/curl -sS -i .*-H 'x-api-key: \[redacted\]'/);

    const texts = [{ where: 'terminal', text: stripAnsi(terminal.join('')) }, ...files.map((f) => ({ where: path.relative(result.dir, f.file), text: f.text }))];
    expect(leaksIn(texts, secrets)).toEqual([]);
  });

  it('CLI main(): no secret in stdout, stderr or any file of the run folder', async () => {
    const dir = path.join(tmp.path, `cli-${mode}`);
    await fs.mkdir(dir, { recursive: true });
    const configFile = await writeYaml(path.join(dir, 'config.yaml'), rawConfig);
    const config = await resolveConfig(structuredClone(rawConfig), { file: configFile, env: { ...process.env, [API_KEY_ENV]: API_KEY } });
    process.env[API_KEY_ENV] = API_KEY;
    process.env['TA_SAFETY_SIGN_KEY'] = signKey.pem;
    let out: Awaited<ReturnType<typeof captureMain>>;
    try {
      out = await captureMain([
        'run', '--config', configFile, '--target', target.url, '--report-dir', path.join(dir, 'reports'),
        '--seed', '99', '--runs', '3', '--suite', 'identity', 'isolation', '--sign-key', 'env:TA_SAFETY_SIGN_KEY',
      ]);
    } finally {
      delete process.env[API_KEY_ENV];
      delete process.env['TA_SAFETY_SIGN_KEY'];
    }
    expect(out.code, out.err).toBe(mode === 'fail-closed' ? 0 : 1);
    if (mode === 'header-override') expect(out.out).toMatch(/curl -sS -i .*-H 'x-api-key: \[redacted\]'/);
    const files = await filesBelow(path.join(dir, 'reports'));
    expect(files.map((f) => path.basename(f.file))).toEqual(expect.arrayContaining(['evidence.jsonl', 'manifest.json', 'report.html', 'report.md', 'junit.xml', 'summary.json']));
    // Tokens minted inside the CLI are unknown here: the signed-JWT pattern catches any of them.
    const secrets = secretsOf(config, { issued: () => [], tokenFor: async () => '' });
    const texts = [
      { where: 'stdout', text: out.out },
      { where: 'stderr', text: out.err },
      ...files.map((f) => ({ where: path.relative(dir, f.file), text: f.text })),
    ];
    expect(leaksIn(texts, secrets)).toEqual([]);
  });
});
