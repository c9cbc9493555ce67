import crypto from 'node:crypto';
import path from 'node:path';
import { loadConfig } from '../config/load.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { TenancyAuditError } from '../core/errors.ts';
import type { RunManifest } from '../core/types.ts';
import { verdictRank, worseVerdict, type FailLevel, type Verdict } from '../core/verdict.ts';
import { createRedactor, openEvidenceWriter, writeManifest } from '../evidence/index.ts';
import { Budget, Semaphore } from '../execute/limits.ts';
import { buildProbeSpace } from '../generate/space.ts';
import type { TokenProvider } from '../identity/index.ts';
import { loadSuites, selectSuites, BUILTIN_SUITES_DIR } from '../suite/load.ts';
import { isHttpSuite, type HttpSuiteDefinition } from '../suite/http.ts';
import { suiteMeta } from '../suite/define.ts';
import { createEngineContext, legitSender } from './context.ts';
import { runControls } from './controls.ts';
import { cellSeed, runCell, type CellOutcome } from './cell.ts';
import { executeProbe, type CaseResult } from './execute-probe.ts';
import { executeScenario, isScenarioCell } from './execute-scenario.ts';
import { startCallbackReceiver } from '../execute/callback-receiver.ts';
import type { AuditEventHandler } from './events.ts';
import { setupFixtures, teardownFixtures } from './fixtures.ts';
import { ownsKey, planCells, shardOf, type PlannedCell, type Shard } from './plan.ts';
import { openSession } from './session.ts';
import { exitCodeOf } from './exit-code.ts';
import { emptyTally, suiteVerdict } from './suite-verdict.ts';
import { blockedRecord, controlRecord, findingRecord, probeRecord } from './records.ts';
import { manifestOf, mutationCatalogue } from './manifest.ts';

export interface RunOptions {
  /** A config file path, or an already resolved config. */
  config: string | ResolvedConfig;
  target?: string;
  suites?: string[];
  seed?: number;
  runs?: number;
  concurrency?: number;
  rate?: number;
  maxRequests?: number;
  maxDurationSeconds?: number;
  reportDir?: string;
  failOn?: FailLevel;
  shard?: Shard;
  signKey?: string;
  /** Stop new probes (SIGINT); evidence is flushed and the run marked incomplete. */
  signal?: AbortSignal;
  onEvent?: AuditEventHandler;
  /** The command line, redacted, for the manifest. */
  command?: string;
  /** Replaces the configured token source (tests). */
  provider?: TokenProvider;
}

export interface RunResult {
  runId: string;
  dir: string;
  exitCode: number;
  worst: Verdict;
  complete: boolean;
  manifest: RunManifest;
  thumbprint?: string;
}

export async function run(options: RunOptions): Promise<RunResult> {
  const config = withOverrides(typeof options.config === 'string' ? await loadConfig(options.config) : options.config, options);
  const emit = options.onEvent ?? (() => {});
  const seed = options.seed ?? config.run.seed ?? crypto.randomInt(0, 2 ** 31 - 1);
  const runs = options.runs ?? config.run.runs;
  const failOn = options.failOn ?? config.run.failOn;
  const selected = await selectedHttpSuites(config, options.suites);
  if (options.shard && options.seed === undefined && config.run.seed === undefined) {
    throw new TenancyAuditError('TA_USAGE', '--shard needs --seed (or run.seed in the config)', {
      hint: 'Every shard of one run must generate from the same seed so the shards can be merged.',
    });
  }
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${crypto.randomBytes(3).toString('hex')}`;
  const dir = path.resolve(options.reportDir ?? config.run.reportDir, runId);
  const startedAt = new Date().toISOString();

  const suites = selected;
  const metas = suites.map(suiteMeta);
  const redactor = createRedactor(config.secrets);
  const writer = await openEvidenceWriter(dir, { runId, redactor });
  const budget = new Budget(options.maxRequests ?? config.run.maxRequests, secondsToMs(options.maxDurationSeconds ?? config.run.maxDurationSeconds));
  const stopOnSignal = () => budget.stop('interrupted');
  options.signal?.addEventListener('abort', stopOnSignal, { once: true });

  const base = {
    config,
    runId,
    seed,
    runs,
    startedAt,
    metas,
    command: options.command ?? 'tenancy-audit run',
    ...(options.shard ? { shard: options.shard } : {}),
  };
  // No manifest until the run ends: a killed run leaves evidence.jsonl alone, which `verify` and `report` read as
  // "did not finish" with an intact chain. A placeholder manifest would contradict every record written after it.
  emit({ type: 'run-start', runId, dir, target: redactor.text(config.target.baseUrl), seed, suites: metas });

  let session: Awaited<ReturnType<typeof openSession>> | undefined;
  let worst: Verdict = 'pass';
  let inconclusiveSuites = 0;
  let failure: unknown;
  let mutations: RunManifest['mutations'] = [];
  let closeReceiver: (() => Promise<void> | undefined) | undefined;
  try {
    session = await openSession(config, { budget, provider: options.provider });
    const provider = session.credentials.provider;
    const issuedBefore = new Set<string>();
    const registerTokens = () => provider.issued().forEach((t) => issuedBefore.has(t) || (issuedBefore.add(t), redactor.add(t)));
    const sendAs = legitSender(session.client, session.credentials);
    emit({ type: 'phase', name: 'fixtures' });
    const fixtures = await setupFixtures(config, sendAs);
    const ctx = createEngineContext(config, session, fixtures);
    const space = buildProbeSpace(config, session.credentials.applicable);
    mutations = mutationCatalogue(session.credentials.applicable.map((f) => f.id));
    // Suites are asked for their cells once; the shard, the controls and the summary all read this plan.
    const allCells = planCells(suites, space);
    const planned = options.shard ? shardOf(allCells, options.shard) : allCells;
    const opsBySuite = new Map(suites.map((suite) => [suite.id, new Set<string>()]));
    for (const { suite, cell } of allCells) if (!isScenarioCell(cell)) opsBySuite.get(suite.id)!.add(cell.operation);
    // Suites with nothing to fire on this configuration (e.g. async suites without `async`) did not run.
    const runnable = new Set(allCells.map((p) => p.suite.id));
    base.metas = metas.filter((m) => runnable.has(m.id));

    emit({ type: 'phase', name: 'controls' });
    const usedOps = [...new Set([...opsBySuite.values()].flatMap((ops) => [...ops]))];
    const controls = await runControls(ctx, usedOps.map((id) => ctx.operations.get(id)!));
    registerTokens();
    const tallies = new Map(suites.map((suite) => [suite.id, emptyTally()]));
    const countControl = (suiteId: string, verdict: Verdict) => {
      const tally = tallies.get(suiteId)!;
      if (verdict === 'pass') tally.controlsPassed++;
      else tally.controlsFailed++;
    };
    for (const suite of suites) {
      for (const control of controls) {
        if (!opsBySuite.get(suite.id)!.has(control.operation) || !ownsKey(`${suite.id}/${control.operation}`, options.shard)) continue;
        await writer.append(controlRecord(suite, control, seed));
        countControl(suite.id, control.judgement.verdict);
        worst = worseVerdict(worst, control.judgement.verdict);
        emit({ type: 'control', operation: control.operation, tenant: control.tenant, verdict: control.judgement.verdict, detail: control.judgement.detail });
      }
    }
    const liveOps = new Set(usedOps.filter((op) => controls.filter((c) => c.operation === op).every((c) => c.judgement.verdict !== 'inconclusive')));

    emit({ type: 'phase', name: 'probes' });
    const countVerdict = (suiteId: string, verdict: Verdict, kind: 'verdicts' | 'findings' = 'verdicts') => {
      const counts = tallies.get(suiteId)![kind];
      counts[verdict] = (counts[verdict] ?? 0) + 1;
    };
    /** Probes that cannot be judged because the cell's positive control did not pass: one inconclusive record. */
    const block = async (planned: PlannedCell, seedOfCell: number) => {
      await writer.append(blockedRecord(planned, seedOfCell));
      countVerdict(planned.suite.id, 'inconclusive');
    };
    const onProbe = async (cell: PlannedCell, seedOfCell: number, result: CaseResult) => {
      // A generated sequence whose commands were all skipped sent nothing: it is no evidence either way.
      if (result.steps.length === 0) return;
      registerTokens();
      await writer.append(probeRecord(result, seedOfCell));
      countVerdict(cell.suite.id, result.judgement.verdict);
      if (result.judgement.verdict !== 'inconclusive') worst = worseVerdict(worst, result.judgement.verdict);
      emit({ type: 'probe', suite: cell.suite.id, verdict: result.judgement.verdict, requests: budget.requests });
    };
    const findingRank = verdictRank(failOn === 'closed-by-error' ? 'closed-by-error' : 'soft-fail');
    // Only scenario cells send jobs that call back: no receiver (no listening port) for a run without them.
    const receiver = config.async && planned.some((p) => isScenarioCell(p.cell)) ? await startCallbackReceiver({ host: config.async.callbacks?.listenHost, publicUrl: config.async.callbacks?.publicUrl }) : undefined;
    closeReceiver = () => receiver?.close();
    const runOne = async (planned: PlannedCell): Promise<void> => {
      const seedOfCell = cellSeed(seed, planned.cell.key);
      const common = { seed: seedOfCell, runs, findingRank, onProbe: (result: CaseResult) => onProbe(planned, seedOfCell, result), stopped: () => budget.exhausted !== undefined };
      let outcome: CellOutcome;
      if (isScenarioCell(planned.cell)) {
        const cell = planned.cell;
        const control = await executeScenario(ctx, receiver, cell, undefined, 'control');
        await writer.append({ ...probeRecord(control, seedOfCell), kind: 'control' });
        countControl(planned.suite.id, control.judgement.verdict);
        if (control.judgement.verdict !== 'inconclusive') worst = worseVerdict(worst, control.judgement.verdict);
        emit({ type: 'control', operation: cell.operation, tenant: control.meta.actor ?? '-', verdict: control.judgement.verdict, detail: control.judgement.detail });
        if (control.judgement.verdict === 'inconclusive') return block(planned, seedOfCell);
        outcome = await runCell(cell, { ...common, execute: (scenario) => executeScenario(ctx, receiver, cell, scenario) });
      } else if (!liveOps.has(planned.cell.operation)) {
        return block(planned, seedOfCell);
      } else {
        outcome = await runCell(planned.cell, { ...common, execute: (probe) => executeProbe(ctx, probe), cacheKey: (probe) => JSON.stringify(probe) });
      }
      for (const finding of outcome.findings) {
        await writer.append(findingRecord(planned, outcome, finding));
        const { result } = finding;
        countVerdict(planned.suite.id, result.judgement.verdict, 'findings');
        emit({
          type: 'finding',
          suite: planned.suite.id,
          path: result.meta.path,
          operation: planned.cell.operation,
          verdict: result.judgement.verdict,
          reason: result.judgement.reason,
          mutation: result.meta.mutation.id,
          // Reporters print these (curl lines with every header): they get what the evidence gets, redacted.
          detail: redactor.text(result.judgement.detail),
          steps: redactor.value(result.steps),
          shrinks: finding.shrinks,
          replay: `tenancy-audit run --seed ${seed} --suite ${planned.suite.id}`,
        });
      }
    };
    const gate = new Semaphore(Math.max(1, Math.min(config.target.concurrency, 8)));
    await Promise.all(planned.filter((p) => !p.writes).map((p) => gate.run(() => runOne(p))));
    for (const p of planned.filter((c) => c.writes)) await runOne(p);

    for (const suite of suites.filter((x) => runnable.has(x.id))) {
      const tally = tallies.get(suite.id)!;
      const verdict = suiteVerdict(tally, failOn);
      if (verdict === 'inconclusive') inconclusiveSuites++;
      emit({ type: 'suite-end', suite: suite.id, paths: suite.paths, counts: tally.verdicts, verdict });
    }
    emit({ type: 'phase', name: 'teardown' });
    if (!budget.exhausted) await teardownFixtures(config, fixtures, sendAs);
  } catch (error) {
    failure = error;
  } finally {
    options.signal?.removeEventListener('abort', stopOnSignal);
    await closeReceiver?.();
    await session?.close();
  }

  const interrupted = budget.exhausted === 'interrupted';
  // A spent budget (or an interrupt) is the cause of whatever failed after it: report the cause.
  const incompleteReason = budget.exhausted ?? (failure ? messageOf(failure) : undefined);
  const exitCode = exitCodeOf({ worst, failOn, failed: failure !== undefined, interrupted, incomplete: incompleteReason !== undefined, inconclusiveSuites });
  await writer.close();
  const manifest = manifestOf(base, writer, {
    complete: incompleteReason === undefined,
    ...(incompleteReason ? { incompleteReason } : {}),
    exitCode,
    endedAt: new Date().toISOString(),
    mutations,
  });
  const written = await writeManifest(dir, manifest, config.run.signKey || options.signKey ? { signKey: (options.signKey ?? config.run.signKey)! } : {});
  emit({ type: 'run-end', exitCode, complete: manifest.complete, ...(incompleteReason ? { incompleteReason } : {}) });
  if (failure && !budget.exhausted && !(failure instanceof TenancyAuditError && failure.code === 'TA_TARGET_UNREACHABLE')) throw failure;
  return { runId, dir, exitCode, worst, complete: manifest.complete, manifest: written.manifest, ...(written.thumbprint ? { thumbprint: written.thumbprint } : {}) };
}

function withOverrides(config: ResolvedConfig, options: RunOptions): ResolvedConfig {
  const target = { ...config.target };
  if (options.target) {
    target.baseUrl = options.target;
    if (config.target.allowHosts) target.allowHosts = [...new Set([...config.target.allowHosts, new URL(options.target).hostname])];
  }
  if (options.concurrency) target.concurrency = options.concurrency;
  if (options.rate) target.ratePerSecond = options.rate;
  return { ...config, target };
}

async function selectedHttpSuites(config: ResolvedConfig, only: string[] | undefined): Promise<HttpSuiteDefinition[]> {
  const dirs = [BUILTIN_SUITES_DIR, ...config.suites.dirs.map((d) => path.resolve(config.dir, d))];
  const loaded = (await loadSuites(dirs)).filter((l) => isHttpSuite(l.suite));
  const selected = selectSuites(loaded, { ...(only ? { only } : {}), include: config.suites.include, exclude: config.suites.exclude });
  if (selected.length === 0) throw new TenancyAuditError('TA_USAGE', 'no HTTP suite selected', { hint: 'Check --suite and suites.include/exclude.' });
  return selected.map((l) => l.suite as HttpSuiteDefinition);
}


function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

