/**
 * Bad configuration: malformed and hostile config files fed to `tenancy-audit run --config FILE`.
 * Every one must exit 2 with a message naming where the problem is (the config path, or the file and line for
 * syntax), print no stack trace, keep its output bounded, and send nothing (the base URL is a loopback server
 * that counts requests). A fast-check property drives the CLI's `main()` in this process; a few representative
 * files go through the real binary.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { formatPath, knownKeysAt } from '../../src/config/issues.ts';
import { configSchema } from '../../src/config/schema.ts';
import { startCountingServer } from '../support/chaos-target.ts';
import { captureMain, REFERENCE_CONFIG, spawnCli, STACK_LINE, tempDir, type CapturedRun } from './helpers.ts';

const RUNS = Number(process.env['TA_BAD_CONFIG_RUNS'] ?? 150);
const SEED = Number(process.env['TA_BAD_CONFIG_SEED'] ?? 20_260_601);
/** No error message may flood the terminal, whatever the input. */
const MAX_OUTPUT = 64 * 1024;

let counter: Awaited<ReturnType<typeof startCountingServer>>;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let base: Record<string, unknown>;
let file = 0;

beforeAll(async () => {
  counter = await startCountingServer('127.0.0.1');
  tmp = await tempDir('ta-safety-config-');
  base = YAML.parse(await fs.readFile(REFERENCE_CONFIG, 'utf8')) as Record<string, unknown>;
  const target = base['target'] as Record<string, unknown>;
  target['baseUrl'] = counter.url;
  const key = ((base['identity'] as Record<string, unknown>)['tokens'] as Record<string, unknown>)['key'] as Record<string, unknown>;
  key['jwk'] = `file:${path.resolve(path.dirname(REFERENCE_CONFIG), 'fixtures/issuer.private.jwk.json')}`;
});
afterAll(async () => {
  await counter?.close();
  await tmp?.cleanup();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every node of the config but the root, and not request bodies (free-form JSON: anything is valid there). */
function nodes(value: Json, at: Path = []): { path: Path; value: Json }[] {
  if (at[at.length - 1] === 'body') return [];
  const out: { path: Path; value: Json }[] = at.length ? [{ path: at, value }] : [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...nodes(v, [...at, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...nodes(v, [...at, k]));
  return out;
}

function setAt(root: Json, at: Path, value: Json): Json {
  const copy = structuredClone(root) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[at[at.length - 1]!] = value;
  return copy as Json;
}

function renameAt(root: Json, at: Path, to: string): Json {
  const copy = structuredClone(root) as Record<string, Json>;
  let node = copy as Record<string | number, Json>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const from = at[at.length - 1] as string;
  const entries = Object.entries(node).map(([k, v]) => [k === from ? to : k, v] as const);
  for (const k of Object.keys(node)) delete node[k];
  for (const [k, v] of entries) node[k] = v;
  return copy as Json;
}

/** Values of a type the schema never accepts where a value of `original`'s type is expected. */
function wrongTypes(original: Json): Json[] {
  if (typeof original === 'string') return [42, true, null, [1, 2]];
  if (typeof original === 'number') return ['12', false, null, [3]];
  if (typeof original === 'boolean') return ['yes', 1, null];
  if (Array.isArray(original)) return ['a list, really', 7, true, { not: 'a list' }];
  if (original && typeof original === 'object') return ['an object, really', 9, false, [1]];
  return ['x'];
}

/** Keys the schema declares on a strict object (not record keys such as fixture names or headers), which a typo can hit. */
function typoTargets(value: Json): Path[] {
  return nodes(value)
    .map(({ path: p }) => p)
    .filter((p) => typeof p[p.length - 1] === 'string' && !p.includes('body'))
    .filter((p) => knownKeysAt(configSchema, p.slice(0, -1)).includes(p[p.length - 1] as string))
    .filter((p) => formatPath(p) !== 'identity.tokens.kind'); // the discriminator: a typo there is "expected one of…"
}

function typo(key: string, at: number, letter: string): string {
  const i = at % key.length;
  const replaced = key.slice(0, i) + letter + key.slice(i + 1);
  return replaced === key ? `${key}${letter}` : replaced;
}

function deepArray(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

function aliasBomb(levels: number, fan: number): string {
  let text = `a0: &a0 [${Array.from({ length: fan }, () => '"lol"').join(', ')}]\n`;
  for (let i = 1; i < levels; i++) text += `a${i}: &a${i} [${Array.from({ length: fan }, () => `*a${i - 1}`).join(', ')}]\n`;
  return text;
}

type Case =
  | { kind: 'wrong-type'; at: Path; value: Json; format: 'yaml' | 'json' }
  | { kind: 'deep'; at: Path; levels: number }
  | { kind: 'unknown-key'; at: Path; to: string }
  | { kind: 'one-tenant' }
  | { kind: 'huge-string'; at: Path; length: number }
  | { kind: 'yaml-syntax'; line: number; fragment: string }
  | { kind: 'json-truncated'; cut: number }
  | { kind: 'empty'; text: string }
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'alias-bomb'; levels: number; fan: number };

interface Built {
  name: string;
  content: string | Uint8Array;
  /** Text the error must contain (a config path, or the file for syntax problems). */
  expect: (file: string) => (string | RegExp)[];
}

function build(c: Case): Built {
  const config = base as Json;
  switch (c.kind) {
    case 'wrong-type': {
      const mutated = setAt(config, c.at, c.value);
      return { name: `wrong-type.${c.format}`, content: c.format === 'json' ? JSON.stringify(mutated) : YAML.stringify(mutated), expect: () => [`- ${formatPath(c.at)}`] };
    }
    case 'deep': {
      const text = JSON.stringify(setAt(config, c.at, 'DEEP')).replace('"DEEP"', deepArray(c.levels));
      return { name: 'deep.json', content: text, expect: () => [`- ${formatPath(c.at)}`] };
    }
    case 'unknown-key': {
      const renamed = [...c.at.slice(0, -1), c.to];
      return { name: 'unknown-key.yaml', content: YAML.stringify(renameAt(config, c.at, c.to)), expect: () => [`- ${formatPath(renamed)}: unknown key`, 'did you mean "'] };
    }
    case 'one-tenant':
      return { name: 'one-tenant.yaml', content: YAML.stringify(setAt(config, ['tenants'], [{ id: 'acme' }])), expect: () => ['- tenants: at least two tenants'] };
    case 'huge-string':
      return { name: 'huge.json', content: JSON.stringify(setAt(config, c.at, 'x'.repeat(c.length))), expect: () => [`- ${formatPath(c.at)}`] };
    case 'yaml-syntax': {
      const lines = YAML.stringify(config).split('\n');
      lines.splice(c.line % lines.length, 0, c.fragment);
      return { name: 'syntax.yaml', content: lines.join('\n'), expect: (f) => [f, 'invalid YAML'] };
    }
    case 'json-truncated': {
      const text = JSON.stringify(config, null, 2);
      return { name: 'truncated.json', content: text.slice(0, c.cut % text.length), expect: (f) => [f] };
    }
    case 'empty':
      return { name: 'empty.yaml', content: c.text, expect: (f) => [f, 'the file is empty'] };
    case 'binary':
      return { name: 'binary.yaml', content: c.bytes, expect: (f) => [f] };
    case 'alias-bomb':
      // Small ones expand within the alias budget (and then fail validation); big ones hit the budget.
      return { name: 'bomb.yaml', content: aliasBomb(c.levels, c.fan), expect: (f) => [f, /Excessive alias count|- a0: unknown key/] };
  }
}

function caseArbitrary(): fc.Arbitrary<Case> {
  const all = nodes(base as Json);
  const valued = all.filter((n) => n.path.length > 0);
  const scalarish = all.filter((n) => typeof n.value === 'number' || Array.isArray(n.value) || (n.value !== null && typeof n.value === 'object'));
  const typos = typoTargets(base as Json);
  const letters = fc.constantFrom(...'qzjxvwk');
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...valued).chain((n) => fc.record({ kind: fc.constant('wrong-type' as const), at: fc.constant(n.path), value: fc.constantFrom(...wrongTypes(n.value)), format: fc.constantFrom('yaml' as const, 'json' as const) })) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), at: fc.constantFrom(...valued.map((n) => n.path)), levels: fc.integer({ min: 5_000, max: 10_000 }) }) },
    {
      weight: 3,
      arbitrary: fc
        .record({ kind: fc.constant('unknown-key' as const), at: fc.constantFrom(...typos), pos: fc.nat(), letter: letters })
        .map(({ at, pos, letter }) => ({ kind: 'unknown-key' as const, at, to: typo(String(at[at.length - 1]), pos, letter) }))
        .filter((c) => !knownKeysAt(configSchema, c.at.slice(0, -1)).includes(c.to)),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'one-tenant' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge-string' as const), at: fc.constantFrom(...scalarish.map((n) => n.path)), length: fc.integer({ min: 100_000, max: 1_000_000 }) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('yaml-syntax' as const),
        line: fc.nat(),
        // Fragments that are a syntax error wherever a line of them is inserted.
        fragment: fc.constantFrom('zz_broken: [unclosed', 'zz_broken: {unclosed: 1', 'zz_broken: "unterminated', '@reserved: 1', '`reserved: 1'),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('json-truncated' as const), cut: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('empty' as const), text: fc.constantFrom('', ' ', '\n\n', '\t \n') }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('binary' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 4096 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('alias-bomb' as const), levels: fc.integer({ min: 3, max: 12 }), fan: fc.integer({ min: 6, max: 20 }) }) },
  );
}

async function writeCase(built: Built): Promise<string> {
  const dir = path.join(tmp.path, `c${++file}`);
  await fs.mkdir(dir);
  const target = path.join(dir, built.name);
  await fs.writeFile(target, built.content);
  return target;
}

function expectRejected(result: CapturedRun, needles: (string | RegExp)[], context: string): void {
  expect(result.code, `${context}\n${result.err.slice(0, 2000)}`).toBe(2);
  for (const needle of needles) {
    if (typeof needle === 'string') expect(result.err, context).toContain(needle);
    else expect(result.err, context).toMatch(needle);
  }
  expect(result.err + result.out, context).not.toMatch(STACK_LINE);
  expect(result.err.length + result.out.length, context).toBeLessThan(MAX_OUTPUT);
  expect(counter.requests, context).toBe(0);
}

describe('malformed and hostile config files', () => {
  it('sanity: the unmutated base config is valid (so each mutation alone is what fails)', async () => {
    const dir = path.join(tmp.path, 'base');
    await fs.mkdir(dir);
    const config = await loadConfig(await writeCase({ name: 'base.yaml', content: YAML.stringify(base), expect: () => [] }));
    expect(config.target.baseUrl).toBe(counter.url);
    expect(counter.requests).toBe(0);
  });

  it(`property (${RUNS} runs, seed ${SEED}): every bad config exits 2, names the problem, no stack, no request`, async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(caseArbitrary(), async (c) => {
        seen.add(c.kind);
        const built = build(c);
        const configFile = await writeCase(built);
        const result = await captureMain(['run', '--config', configFile, '--report-dir', path.join(tmp.path, 'reports')]);
        expectRejected(result, built.expect(configFile), `${c.kind} ${'at' in c ? formatPath(c.at) : ''}`);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect([...seen].sort()).toEqual(['alias-bomb', 'binary', 'deep', 'empty', 'huge-string', 'json-truncated', 'one-tenant', 'unknown-key', 'wrong-type', 'yaml-syntax']);
    // Nothing was ever judged: no run folder was created.
    expect(await fs.readdir(path.join(tmp.path, 'reports')).catch(() => [])).toEqual([]);
  });

  it('fixed hostile cases: 10k-level YAML nesting, a billion-laughs bomb, a huge unknown key, a NUL byte', async () => {
    const cases: [string, string | Uint8Array, (f: string) => string[]][] = [
      ['deep.yaml', `name: ${deepArray(10_000)}\n`, (f) => [f, 'invalid YAML']],
      ['deep-block.yaml', Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'), (f) => [f]],
      ['laughs.yaml', aliasBomb(10, 10), (f) => [f, 'Excessive alias count']],
      // The key is the path: it is named, cut to a readable length.
      ['huge-key.json', JSON.stringify({ ...base, ['x'.repeat(200_000)]: 1 }), () => [`- ${'x'.repeat(100)}`, 'more characters']],
      ['nul.yaml', Buffer.from('name: a\u0000b\n'), (f) => [f, 'binary']],
    ];
    for (const [name, content, needles] of cases) {
      const configFile = await writeCase({ name, content, expect: needles });
      const result = await captureMain(['run', '--config', configFile]);
      expectRejected(result, needles(configFile), name);
    }
  });
});

describe('the real binary on representative bad configs', () => {
  it('exits 2 with a path-naming message and no stack trace, sending nothing', async () => {
    const cases: [string, string, (f: string) => string[]][] = [
      ['empty.yaml', '', (f) => [f, 'the file is empty']],
      ['broken.yaml', 'target:\n  baseUrl: [unclosed\n', (f) => [f, 'invalid YAML']],
      ['typo.yaml', YAML.stringify(renameAt(base as Json, ['operations', 1, 'method'], 'methd')), () => ['- operations[1].methd: unknown key "methd" (did you mean "method"?)']],
      ['wrong.yaml', YAML.stringify(setAt(base as Json, ['operations', 1, 'method'], 42)), () => ['- operations[1].method']],
      ['bomb.yaml', aliasBomb(10, 10), (f) => [f, 'Excessive alias count']],
    ];
    for (const [name, content, needles] of cases) {
      const configFile = await writeCase({ name, content, expect: needles });
      const child = spawnCli(['run', '--config', configFile], { timeoutMs: 60_000 });
      const { code } = await child.code;
      expectRejected({ code: code ?? -1, out: child.out(), err: child.err() }, needles(configFile), name);
    }
  });
});
