/**
 * `npm run bench:throughput` (node --import tsx/esm bench/throughput.ts [--rounds 9] [--warmup 2] [--seconds 2]
 * [--concurrency 8] [--probes 200000] [--render 100000] [--reference-rounds 3]).
 *
 * 1. Throughput: the harness's executor (`createHttpClient`, as a run configures it) against autocannon, same
 *    trivial JSON endpoint (in a process of its own), same concurrency, same duration, several rounds (the order
 *    alternates); completed requests per second, the median ratio is the result. Then the same against the
 *    reference target's `GET /projects` as a tenant (`--reference-rounds`, 3 by default; 0 skips it).
 * 2. Peak RSS of a 200,000-probe load with evidence streamed to disk (bench/lib/probe-load.ts: the real probe
 *    executor and evidence writer against the fail-closed chaos target, in a child process of its own).
 * 3. Report rendering from 100,000 of those evidence records (when src/report exists), and the HTML size.
 *
 * Goals: ratio >= 0.8, peak RSS < 200 MB, 100k records rendered < 10 s.
 * The lines are also written to bench/results/throughput.md. The last line is exactly
 * `throughput ratio (tenancy-audit / autocannon): <x.xx>`.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createRedactor, openEvidenceWriter, readManifest, writeManifest } from '../src/evidence/index.ts';
import { scanLines } from '../src/evidence/lines.ts';
import { createHttpClient } from '../src/execute/http-client.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} takes a number`);
  return value;
};
const ROUNDS = arg('rounds', 9);
const WARMUP = arg('warmup', 2);
const SECONDS = arg('seconds', 2);
const CONCURRENCY = arg('concurrency', 8);
const PROBES = arg('probes', 200_000);
const RENDER = arg('render', 100_000);
const REFERENCE_ROUNDS = arg('reference-rounds', 3);

const printed: string[] = [];
/** Prints a line and keeps it for bench/results/throughput.md. */
const say = (line: string) => {
  printed.push(line);
  console.log(line);
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Forks a bench/lib script and resolves with the first JSON line it prints. */
function child(script: string, args: string[]): { line: Promise<Record<string, unknown>>; kill(): void; exited: Promise<number | null> } {
  const proc = fork(path.join(here, 'lib', script), args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines = readline.createInterface({ input: proc.stdout! });
  const line = new Promise<Record<string, unknown>>((resolve, reject) => {
    lines.once('line', (text) => resolve(JSON.parse(text) as Record<string, unknown>));
    lines.once('close', () => reject(new Error(`${script} ended without answering`)));
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { line, kill: () => proc.kill('SIGTERM'), exited };
}

interface Endpoint {
  url: string;
  headers: Record<string, string>;
}

async function harnessRps({ url, headers }: Endpoint): Promise<number> {
  const client = createHttpClient({ allowHosts: ['127.0.0.1'], timeoutMs: 10_000, maxBodyBytes: 1_048_576, concurrency: CONCURRENCY, ratePerSecond: 1_000_000 });
  let done = 0;
  let failed = 0;
  const request = { method: 'GET', url, headers: { ...headers, 'user-agent': 'tenancy-audit' } };
  const t0 = performance.now();
  const until = t0 + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const exchange = await client.send(request);
        if (exchange.outcome.kind !== 'response' || exchange.outcome.response.status !== 200) failed++;
        else done++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await client.close();
  if (failed) throw new Error(`harness: ${failed} failed requests`);
  return done / seconds;
}

async function autocannonRps({ url, headers }: Endpoint): Promise<number> {
  const t0 = performance.now();
  const result = await autocannon({ url, connections: CONCURRENCY, pipelining: 1, duration: SECONDS, headers: { ...headers, 'user-agent': 'autocannon' } });
  const seconds = (performance.now() - t0) / 1000;
  if (result.errors || result.non2xx) throw new Error(`autocannon: ${result.errors} errors, ${result.non2xx} non-2xx`);
  return result['2xx'] / seconds;
}

/** A run folder holding the first `count` records of `from` (re-chained) and a manifest, to render. */
async function firstRecords(from: string, to: string, count: number): Promise<number> {
  const writer = await openEvidenceWriter(to, { runId: `bench-render-${count}`, redactor: createRedactor([]) });
  const pending: Promise<unknown>[] = [];
  let taken = 0;
  await scanLines(path.join(from, 'evidence.jsonl'), ({ text, terminated }) => {
    if (!terminated || taken >= count) return;
    taken++;
    const { seq: _seq, runId: _runId, prevHash: _prev, hash: _hash, ...record } = JSON.parse(text) as Record<string, unknown>;
    pending.push(writer.append(record as unknown as Parameters<typeof writer.append>[0]));
  });
  await Promise.all(pending);
  await writer.close();
  const manifest = (await readManifest(from))!;
  const { signature: _signature, ...unsigned } = manifest;
  await writeManifest(to, { ...unsigned, runId: `bench-render-${count}`, counts: writer.counts(), headHash: writer.headHash, evidenceSha256: writer.evidenceSha256() });
  return taken;
}

/** Warm-up rounds first (both clients and the endpoint reach their JIT steady state), then measured rounds in alternating order; the ratios. */
async function compare(label: string, endpoint: Endpoint, rounds: number): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) {
    await harnessRps(endpoint);
    await autocannonRps(endpoint);
  }
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    let harness: number;
    let cannon: number;
    if (round % 2) {
      harness = await harnessRps(endpoint);
      cannon = await autocannonRps(endpoint);
    } else {
      cannon = await autocannonRps(endpoint);
      harness = await harnessRps(endpoint);
    }
    ratios.push(harness / cannon);
    say(`  ${label} round ${round}: tenancy-audit ${harness.toFixed(0)} req/s, autocannon ${cannon.toFixed(0)} req/s, ratio ${(harness / cannon).toFixed(2)}`);
  }
  return ratios;
}

const servers = child('servers.ts', []);
const urls = (await servers.line) as { trivial: string; chaos: string; reference: { url: string; authorization: string } };
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-bench-'));
try {
  say(`throughput: ${ROUNDS} rounds (after ${WARMUP} warm-up rounds) × ${SECONDS} s at concurrency ${CONCURRENCY} (node ${process.version}, ${os.cpus().length} cpus)`);
  say(`trivial JSON endpoint ${urls.trivial}:`);
  const ratios = await compare('trivial', { url: urls.trivial, headers: { accept: 'application/json' } }, ROUNDS);
  if (REFERENCE_ROUNDS > 0) {
    say(`reference target (fail-closed, PostgreSQL behind RLS) GET ${urls.reference.url} as a tenant:`);
    const reference = await compare('reference', { url: urls.reference.url, headers: { accept: 'application/json', authorization: urls.reference.authorization } }, REFERENCE_ROUNDS);
    say(`reference target ratio (median of ${REFERENCE_ROUNDS}): ${median(reference).toFixed(2)}`);
  }

  if (PROBES > 0) {
    const loadDir = path.join(work, 'load');
    const load = child('probe-load.ts', [urls.chaos, String(PROBES), loadDir]);
    const stats = (await load.line) as { probes: number; distinct: number; seconds: number; maxRssBytes: number; evidenceBytes: number };
    await load.exited;
    say(
      `peak RSS: ${mb(stats.maxRssBytes)} over ${stats.probes} probes (${stats.distinct} distinct, round-robin) through executeProbe + evidence writer, ` +
        `${(stats.probes / stats.seconds).toFixed(0)} probes/s, ${mb(stats.evidenceBytes)} of evidence streamed to disk`,
    );

    const report = (await import('../src/report/index.ts').catch(() => undefined)) as typeof import('../src/report/index.ts') | undefined;
    if (!report?.renderReport) {
      say('report render: not available yet');
    } else {
      const renderDir = path.join(work, 'render');
      const records = await firstRecords(loadDir, renderDir, Math.min(RENDER, stats.probes));
      const t0 = performance.now();
      const rendered = await report.renderReport(renderDir);
      const seconds = (performance.now() - t0) / 1000;
      const html = rendered.files.find((f) => f.endsWith('report.html'));
      const htmlBytes = html ? (await fs.stat(html)).size : 0;
      say(`report render: ${records} records in ${seconds.toFixed(2)} s (${rendered.files.map((f) => path.basename(f)).join(', ')}); report.html ${mb(htmlBytes)}`);
    }
  }
  const last = `throughput ratio (tenancy-audit / autocannon): ${median(ratios).toFixed(2)}`;
  const results = path.join(here, 'results', 'throughput.md');
  await fs.writeFile(results, `# npm run bench:throughput — ${new Date().toISOString()}\n\n\`\`\`\n${[...printed, last].join('\n')}\n\`\`\`\n`);
  console.log(`written to ${path.relative(process.cwd(), results)}`);
  console.log(last);
} finally {
  servers.kill();
  await servers.exited;
  await fs.rm(work, { recursive: true, force: true });
}
