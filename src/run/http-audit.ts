import type { ResolvedConfig } from '../config/resolve.ts';
import type { AuditEventHandler } from '../core/events.ts';
import type { NotApplicableSuite, RunManifest, SuiteMeta } from '../core/types.ts';
import type { FailLevel } from '../core/verdict.ts';
import { startCallbackReceiver } from '../execute/callback-receiver.ts';
import type { Budget } from '../execute/limits.ts';
import type { PolitenessController } from '../execute/politeness.ts';
import { buildProbeSpace } from '../generate/space.ts';
import type { TokenProvider } from '../identity/index.ts';
import type { HttpSuiteDefinition } from '../suite/http.ts';
import { CallbackWaits } from './callback-waits.ts';
import type { ContractLedger } from './contract-ledger.ts';
import { runCells } from './cells.ts';
import { startHeartbeat } from './heartbeat.ts';
import { createEngineContext, legitSender } from './context.ts';
import { writeControls } from './control-records.ts';
import { isScenarioCell } from './execute-scenario.ts';
import { setupFixtures, teardownFixtures } from './fixtures.ts';
import { mutationCatalogue } from './manifest.ts';
import { planCells, shardOf, type Shard } from './plan.ts';
import type { DatabaseAudit } from './database-config.ts';
import type { OpenRunFolder } from './run-folder.ts';
import { openSession } from './session.ts';

/** The one state object of an HTTP run, shared by its phases. */
export interface HttpRunState {
  config: ResolvedConfig;
  suites: readonly HttpSuiteDefinition[];
  /** The selected suites; narrowed to those with cells on this configuration once planned (the manifest's list). */
  metas: SuiteMeta[];
  seed: number;
  runs: number;
  failOn: FailLevel;
  command: string;
  shard?: Shard;
  signKey?: string;
  provider?: TokenProvider;
  budget: Budget;
  /** Retry-After, the adaptive rate and the patience with a refusing target; its stats go to the manifest. */
  politeness: PolitenessController;
  emit: AuditEventHandler;
  folder: OpenRunFolder;
  /** Accepted deviations and waivers: marks records as they are written, and says at the end what each matched. */
  contract: ContractLedger;
  /** Selected suites declared not applicable (`scope`): not run, listed with their reason. */
  notApplicable: NotApplicableSuite[];
  /** The forgeries applicable to this configuration, for the manifest (known once credentials exist). */
  mutations: RunManifest['mutations'];
  /** Whether closing controls ran (tokens expired or were refreshed during the run). */
  closingControls?: boolean;
  /** The token source's counts, for the manifest. */
  identity?: RunManifest['identity'];
  /** The command that replays this run's findings, without suite and seed (`tenancy-audit run --config … --target …`). */
  replay: string;
  /** The data-layer audit run after the HTTP phases (the config's `database:` section). */
  database?: DatabaseAudit;
}

/** True when a token the opening controls used has since expired or been replaced. */
export function needsClosingControls(provider: TokenProvider, now: number = Date.now()): boolean {
  const stats = provider.stats?.();
  if (!stats) return false;
  return stats.refreshes > 0 || (stats.earliestExpiry !== undefined && stats.earliestExpiry <= now);
}

function identityFacts(provider: TokenProvider, closingControls: boolean): RunManifest['identity'] {
  const stats = provider.stats?.();
  if (!stats) return undefined;
  const { source, refreshable, fetched, refreshes, forcedRefreshes } = stats;
  return { source, refreshable, fetched, refreshes, forcedRefreshes, closingControls };
}

/**
 * The phases of an HTTP audit over one state: session, fixtures, plan, positive controls, cells, suite verdicts,
 * teardown. Returns how many suites ended inconclusive.
 */
export async function auditHttp(state: HttpRunState): Promise<number> {
  const waits = new CallbackWaits(state.config.async?.callbacks?.timeoutMs ?? 10_000);
  // A line every 10 s when nothing else moves (reporters print it only without a live line).
  const heartbeat = startHeartbeat(state.emit, () => waits.describe());
  const outer = state.emit;
  state.emit = heartbeat.emit;
  try {
    return await auditPhases(state, waits);
  } finally {
    heartbeat.stop();
    state.emit = outer;
  }
}

async function auditPhases(state: HttpRunState, waits: CallbackWaits): Promise<number> {
  const { config, suites, budget, emit, folder } = state;
  const session = await openSession(config, { budget, politeness: state.politeness, provider: state.provider });
  let closeReceiver: (() => Promise<void>) | undefined;
  try {
    const sendAs = legitSender(session.client, session.credentials);
    emit({ type: 'phase', name: 'fixtures' });
    const fixtures = await setupFixtures(config, sendAs);
    const ctx = createEngineContext(config, session, fixtures);
    const space = buildProbeSpace(config, session.credentials.applicable);
    state.mutations = mutationCatalogue(session.credentials.applicable.map((f) => f.id));
    // Suites are asked for their cells once; the shard, the controls and the summary all read this plan.
    const allCells = planCells(suites, space);
    const planned = state.shard ? shardOf(allCells, state.shard) : allCells;
    // Suites with nothing to fire on this configuration (e.g. async suites without `async`) did not run.
    const runnable = new Set(allCells.map((p) => p.suite.id));
    const declared = new Set(state.notApplicable.map((n) => n.suite));
    state.metas = state.metas.filter((m) => runnable.has(m.id) || declared.has(m.id));

    const issued = new Set<string>();
    const registerTokens = () => session.credentials.provider.issued().forEach((t) => issued.has(t) || (issued.add(t), folder.redactor.add(t)));
    emit({ type: 'phase', name: 'controls' });
    const liveOps = await writeControls(state, ctx, allCells, 'opening', registerTokens);

    emit({ type: 'phase', name: 'probes' });
    // Only scenario cells send jobs that call back: no receiver (no listening port) for a run without them.
    const receiver = config.async && planned.some((p) => isScenarioCell(p.cell)) ? await startCallbackReceiver({ host: config.async.callbacks?.listenHost, publicUrl: config.async.callbacks?.publicUrl }) : undefined;
    closeReceiver = receiver ? () => receiver.close() : undefined;
    await runCells(state, { ctx, receiver, liveOps, registerTokens, waits }, planned);
    const provider = session.credentials.provider;
    if (!budget.exhausted && needsClosingControls(provider)) {
      // The opening controls vouched for tokens that have since expired or been replaced: control them again.
      emit({ type: 'phase', name: 'controls' });
      await writeControls(state, ctx, allCells, 'closing', registerTokens);
      state.closingControls = true;
    }
    registerTokens();

    let inconclusiveSuites = 0;
    for (const suite of suites.filter((s) => runnable.has(s.id))) {
      const { verdict, reason } = folder.tally.verdictOf(suite.id, state.failOn);
      if (verdict === 'inconclusive') inconclusiveSuites++;
      emit({ type: 'suite-end', suite: suite.id, paths: suite.paths, counts: folder.tally.of(suite.id).verdicts, verdict, reason });
    }
    for (const w of state.contract.facts([]).waivers) {
      if (w.status === 'expired') emit({ type: 'log', line: `waivers[${w.rule}] (${w.owner}) expired on ${w.expires}: its ${w.matched} record(s) count again` });
      if (w.status === 'stale') emit({ type: 'log', line: `waivers[${w.rule}] (${w.reason}) is stale: it matched nothing` });
    }
    for (const { suite, reason } of state.notApplicable) {
      emit({ type: 'suite-not-applicable', suite, paths: state.metas.find((m) => m.id === suite)?.paths ?? [], reason });
    }
    emit({ type: 'phase', name: 'teardown' });
    if (!budget.exhausted) await teardownFixtures(config, fixtures, sendAs);
    return inconclusiveSuites;
  } finally {
    state.identity = identityFacts(session.credentials.provider, state.closingControls === true);
    await closeReceiver?.();
    await session.close();
  }
}
