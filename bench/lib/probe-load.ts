/**
 * Probe load: N probes through the real probe executor (`executeProbe`: request building, forged credentials,
 * the scoped HTTP/1.1 client, the judge) and the real evidence writer (redaction, hash chain, one write per record),
 * against the fail-closed chaos target. `run()` itself cannot reach 200,000 probes: its probe space is finite
 * and every distinct probe is fired once (a cache answers repeats), so this drives the same stages directly,
 * with the session, fixtures and probe cells built exactly as `run()` builds them.
 *
 * Usage (a child of bench/throughput.ts): probe-load.ts <chaos-url> <probes> <dir>
 * Prints one JSON line: { probes, distinct, records, seconds, maxRssBytes, evidenceBytes, dir }.
 */
import fs from 'node:fs/promises';
import fc from 'fast-check';
import { boundHeapGrowth } from '../../src/cli/heap.ts';
import { resolveConfig } from '../../src/config/load.ts';
import type { RunManifest } from '../../src/core/types.ts';
import { createRedactor, openEvidenceWriter, writeManifest } from '../../src/evidence/index.ts';
import { Budget } from '../../src/execute/limits.ts';
import type { Probe } from '../../src/generate/probe.ts';
import { buildProbeSpace, type ProbeCell } from '../../src/generate/space.ts';
import { TOOL_VERSION } from '../../src/core/package-root.ts';
import { createEngineContext, legitSender } from '../../src/run/context.ts';
import { executeProbe } from '../../src/run/execute-probe.ts';
import { probeRecord } from '../../src/evidence/records.ts';
import { setupFixtures } from '../../src/run/fixtures.ts';
import { openSession } from '../../src/run/session.ts';
import { suiteMeta } from '../../src/suite/define.ts';
import { isHttpSuite, type HttpSuiteDefinition } from '../../src/suite/http.ts';
import { BUILTIN_SUITES_DIR, loadSuites, selectSuites } from '../../src/suite/load.ts';
import { startChaosTarget } from '../../test/support/chaos-target.ts';

// The CLI's own process settings: this load stands for `tenancy-audit run`.
boundHeapGrowth();
const [chaosUrl, probesArg, dir] = process.argv.slice(2);
const total = Number(probesArg);
if (!chaosUrl || !dir || !Number.isSafeInteger(total) || total <= 0) throw new Error('usage: probe-load.ts <chaos-url> <probes> <dir>');

// The chaos target's own config, pointed at the running one.
const template = await startChaosTarget();
const raw = template.config({ operations: 'read-only', target: { baseUrl: chaosUrl, concurrency: 8, ratePerSecond: 1_000_000 } });
await template.close();
const config = await resolveConfig(raw, { dir: process.cwd() });
const seed = 20_260_601;
const runId = `bench-${Date.now()}`;
const startedAt = new Date().toISOString();
const redactor = createRedactor(config.secrets);
const writer = await openEvidenceWriter(dir, { runId, redactor });
const session = await openSession(config, { budget: new Budget() });
const provider = session.credentials.provider;
const registered = new Set<string>();
const registerTokens = () => provider.issued().forEach((t) => registered.has(t) || (registered.add(t), redactor.add(t)));
const sendAs = legitSender(session.client, session.credentials);
const fixtures = await setupFixtures(config, sendAs);
const ctx = createEngineContext(config, session, fixtures);
const space = buildProbeSpace(config, session.credentials.applicable);
const suites = selectSuites(
  (await loadSuites([BUILTIN_SUITES_DIR])).filter((l) => isHttpSuite(l.suite)),
  { only: ['identity', 'isolation'], include: [], exclude: [] },
).map((l) => l.suite as HttpSuiteDefinition);

// Every cell's catalogue examples plus generated probes, distinct, fired round-robin.
const pool = new Map<string, Probe>();
for (const suite of suites) {
  for (const cell of suite.cells(space)) {
    if (!cell || (cell as { kind?: string }).kind === 'scenario') continue;
    const probeCell = cell as ProbeCell;
    for (const probe of [...probeCell.examples, ...fc.sample(probeCell.arbitrary, { numRuns: 200, seed })]) pool.set(JSON.stringify(probe), probe);
  }
}
const probes = [...pool.values()];


const t0 = performance.now();
let next = 0;
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
await Promise.all(
  Array.from({ length: config.target.concurrency }, async () => {
    while (next < total) {
      const probe = probes[next++ % probes.length]!;
      const result = await executeProbe(ctx, probe);
      registerTokens();
      await writer.append(probeRecord(result, seed));
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
await writer.close();
await session.close();

const manifest: Omit<RunManifest, 'signature'> = {
  v: 1,
  tool: { name: 'tenancy-audit', version: TOOL_VERSION },
  kind: 'http',
  runId,
  startedAt,
  endedAt: new Date().toISOString(),
  complete: true,
  system: config.name,
  environment: config.environment,
  target: { baseUrl: config.target.baseUrl },
  configHash: config.hash,
  config: config.redacted,
  seed,
  runs: 0,
  command: `bench probe-load ${total}`,
  operator: {},
  suites: suites.map(suiteMeta),
  mutations: [],
  operations: config.operations.map((op) => ({ id: op.id, method: op.method, path: op.path, tenantScoped: op.tenantScoped })),
  tenants: config.tenants.map((t) => t.id),
  counts: writer.counts(),
  headHash: writer.headHash,
  evidenceSha256: writer.evidenceSha256(),
  exitCode: 0,
};
await writeManifest(dir, manifest);
const evidenceBytes = (await fs.stat(writer.file)).size;
const maxRssBytes = Math.max(peak, process.resourceUsage().maxRSS * 1024);
process.stdout.write(`${JSON.stringify({ probes: total, distinct: probes.length, records: writer.count, seconds, maxRssBytes, evidenceBytes, dir })}\n`);
