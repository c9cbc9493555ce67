import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, resolveConfig } from '../config/load.ts';
import { initConfig, type InitOptions } from '../discover/init.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { AuditEventHandler } from '../core/events.ts';
import { TenancyAuditError } from '../core/errors.ts';
import type { FailLevel } from '../core/verdict.ts';
import { Budget } from '../execute/limits.ts';
import type { TokenProvider } from '../identity/index.ts';
import { suiteMeta } from '../suite/define.ts';
import { isHttpSuite, type HttpSuiteDefinition } from '../suite/http.ts';
import { BUILTIN_SUITES_DIR, loadSuites, selectSuites } from '../suite/load.ts';
import { notApplicableReason } from '../judge/contract.ts';
import { ContractLedger } from './contract-ledger.ts';
import { auditHttp, type HttpRunState } from './http-audit.ts';
import { httpManifestFacts } from './manifest.ts';
import { politenessFor } from './session.ts';
import type { Shard } from './plan.ts';
import { closeRunFolder, openRunFolder, type RunResult } from './run-folder.ts';
import type { DatabaseConfig } from '../config/database.ts';
import { auditDatabaseInto, type DatabasePhase } from './database-phase.ts';
import { databaseAuditOf } from './database-config.ts';
import { assessmentManifestFacts } from './manifest.ts';
import { previousRun } from '../evidence/chain.ts';
import { withTransportOverrides } from './transport-overrides.ts';

export type { RunResult } from './run-folder.ts';

/** Options of an HTTP audit; each overrides the config's value of the same name. */
export interface RunOptions {
  /** A config file path, or an already resolved config; ignored when `spec` is given. */
  config?: string | ResolvedConfig;
  /**
   * No config file: generate one from a description (as `initConfig` does, `baseUrl` defaulting to `target`); the
   * generated YAML is written into the run folder as `tenancy-audit.config.yaml` and used.
   */
  spec?: Omit<InitOptions, 'out' | 'force'>;
  /** The target's base URL (its host joins the allowlist). */
  target?: string;
  /** Suite ids or prefixes (`identity`) to run. */
  suites?: string[];
  seed?: number;
  /** Generated cases per cell. */
  runs?: number;
  concurrency?: number;
  /** Requests per second at most. */
  rate?: number;
  maxRequests?: number;
  maxDurationSeconds?: number;
  /** Folder for run folders. */
  reportDir?: string;
  failOn?: FailLevel;
  /** Run only this shard of the cells (CI matrix); needs a fixed seed. */
  shard?: Shard;
  /** Private key (file, PEM/JWK) to sign the manifest. */
  signKey?: string;
  /** Stop new probes (SIGINT); evidence is flushed and the run marked incomplete. */
  signal?: AbortSignal;
  onEvent?: AuditEventHandler;
  /** The command line, redacted, for the manifest. */
  command?: string;
  /** Replaces the configured token source (tests). */
  provider?: TokenProvider;
  /** A forward proxy URL (`--proxy`); overrides `target.proxy` and the proxy environment. */
  proxy?: string;
  /** TLS material as files (`--ca`, `--cert`, `--key`) and `--insecure`; each overrides `target.tls`'s member. */
  tls?: { ca?: string; cert?: string; key?: string; insecure?: boolean };
  /** The previous run's folder, recorded in the manifest (default: the latest finished run in the report folder). */
  previous?: string;
  /** Over the config's `database:` section, field by field (e.g. a `url` known only at run time); with `tenantSetting` it adds the db phase. */
  database?: Partial<DatabaseConfig>;
}

/**
 * Audits a running deployment over HTTP: positive controls, then every selected suite's cells, each record written
 * to `<reportDir>/<run-id>/evidence.jsonl` as it is judged; then the manifest. Reports are rendered from those
 * files by {@link renderReport}.
 *
 * @example
 * const result = await run({ config: 'tenancy-audit.config.yaml', seed: 42 });
 * process.exitCode = result.exitCode;
 */
export async function run(options: RunOptions): Promise<RunResult> {
  const state = await prepare(options);
  const { folder, budget, failOn } = state;
  const stopOnSignal = () => budget.stop('interrupted');
  options.signal?.addEventListener('abort', stopOnSignal, { once: true });
  state.emit({ type: 'run-start', runId: folder.runId, dir: folder.dir, target: folder.redactor.text(state.config.target.baseUrl), seed: state.seed, suites: state.metas });

  let failure: unknown;
  let inconclusiveSuites = 0;
  let db: DatabasePhase | undefined;
  try {
    if (state.suites.length > 0) inconclusiveSuites = await auditHttp(state);
    // The data layer after the HTTP phases, into the same folder, tally and manifest: one run, one assessment.
    if (state.database && !budget.exhausted) {
      state.emit({ type: 'phase', name: 'database' });
      db = await auditDatabaseInto(folder, { ...state.database, seed: state.seed }, failOn, state.emit, state.replay);
      inconclusiveSuites += db.inconclusiveSuites;
      if (db.failure !== undefined) throw db.failure;
    }
  } catch (error) {
    failure = error;
  } finally {
    options.signal?.removeEventListener('abort', stopOnSignal);
  }

  // A spent budget (or an interrupt) is the cause of whatever failed after it: report the cause.
  const incompleteReason = budget.exhausted ?? (failure === undefined ? undefined : failure instanceof Error ? failure.message : String(failure));
  const result = await closeRunFolder(folder, db ? assessmentManifestFacts(httpManifestFacts(state), db) : httpManifestFacts(state), {
    failOn,
    ...(incompleteReason !== undefined ? { incompleteReason } : {}),
    failed: failure !== undefined,
    interrupted: budget.exhausted === 'interrupted',
    inconclusiveSuites,
    ...(state.signKey ? { signKey: state.signKey } : {}),
    ...(options.previous ? { previous: options.previous } : {}),
  });
  const politeness = state.politeness.stats();
  state.emit({ type: 'run-end', exitCode: result.exitCode, complete: result.complete, ...(incompleteReason ? { incompleteReason } : {}), politeness });
  if (failure && !budget.exhausted && !(failure instanceof TenancyAuditError && failure.code === 'TA_TARGET_UNREACHABLE')) throw failure;
  return result;
}

/** Everything decided before the first request: the config with overrides, seed, suites, limits, the run folder. */
async function prepare(options: RunOptions): Promise<HttpRunState> {
  const { config: given, generatedYaml } = await configOf(options);
  const config = withOverrides(given, options);
  const database = databaseAuditOf(config, options.database, options.suites);
  if (options.previous) await previousRun('', options.previous);
  const { selected, otherTargets } = await selectedHttpSuites(config, options.suites, database !== undefined);
  // Suites the config declares not applicable (`scope`) are listed with their reason and never run; so are suites of
  // the data-layer target it declares not applicable, so the control matrix is judged on what applies.
  const declared = [...selected, ...otherTargets].flatMap((s) => {
    const reason = notApplicableReason(s, config.scope);
    return reason === undefined ? [] : [{ suite: s, reason }];
  });
  const notApplicable = declared.map((d) => ({ suite: d.suite.id, reason: d.reason }));
  const suites = selected.filter((s) => !notApplicable.some((n) => n.suite === s.id));
  const failOn = options.failOn ?? config.run.failOn;
  if (options.shard && options.seed === undefined && config.run.seed === undefined) {
    throw new TenancyAuditError('TA_USAGE', '--shard needs --seed (or run.seed in the config)', {
      hint: 'Every shard of one run must generate from the same seed so the shards can be merged.',
    });
  }
  const maxDurationSeconds = options.maxDurationSeconds ?? config.run.maxDurationSeconds;
  const signKey = options.signKey ?? config.run.signKey;
  const budget = new Budget(options.maxRequests ?? config.run.maxRequests, maxDurationSeconds === undefined ? undefined : maxDurationSeconds * 1000);
  const folder = await withGeneratedConfig(await openRunFolder(options.reportDir ?? config.run.reportDir, [...config.secrets, ...urlPassword(options.database?.url)], suites.map((s) => s.id)), generatedYaml);
  // A spec-driven run replays from the config it generated, written into its run folder.
  const replayConfig = generatedYaml !== undefined ? path.join(folder.dir, GENERATED_CONFIG_NAME) : options.config;
  return {
    config,
    suites,
    metas: [...selected, ...declared.map((d) => d.suite).filter((s) => !selected.includes(s as HttpSuiteDefinition))].map(suiteMeta),
    notApplicable,
    contract: new ContractLedger(config, failOn),
    seed: options.seed ?? config.run.seed ?? crypto.randomInt(0, 2 ** 31 - 1),
    runs: options.runs ?? config.run.runs,
    failOn,
    command: options.command ?? 'tenancy-audit run',
    replay: replayBase({ config: replayConfig, target: options.target ?? config.target.baseUrl }),
    ...(options.shard ? { shard: options.shard } : {}),
    ...(signKey ? { signKey } : {}),
    ...(options.provider ? { provider: options.provider } : {}),
    budget,
    politeness: politenessFor(config, budget),
    emit: options.onEvent ?? (() => {}),
    folder,
    ...(database ? { database } : {}),
    mutations: [],
  };
}

async function configOf(options: RunOptions): Promise<{ config: ResolvedConfig; generatedYaml?: string }> {
  if (options.spec) {
    const generated = await initConfig({ ...options.spec, ...(options.spec.baseUrl ?? options.target ? { baseUrl: options.spec.baseUrl ?? options.target } : {}) });
    return { config: await resolveConfig(generated.config, { dir: process.cwd(), env: options.spec.env }), generatedYaml: generated.yaml };
  }
  return { config: typeof options.config === 'object' ? options.config : await loadConfig(options.config || undefined) };
}

async function withGeneratedConfig<T extends { dir: string }>(folder: T, yaml: string | undefined): Promise<T> {
  if (yaml !== undefined) await fs.writeFile(path.join(folder.dir, GENERATED_CONFIG_NAME), yaml, 'utf8');
  return folder;
}

/** The file a spec-driven run writes its generated config to, in the run folder. */
export const GENERATED_CONFIG_NAME = 'tenancy-audit.config.yaml';

function withOverrides(config: ResolvedConfig, options: RunOptions): ResolvedConfig {
  const target = { ...config.target };
  if (options.target) {
    target.baseUrl = options.target;
    if (config.target.allowHosts) target.allowHosts = [...new Set([...config.target.allowHosts, new URL(options.target).hostname])];
  }
  if (options.concurrency) target.concurrency = options.concurrency;
  if (options.rate) target.ratePerSecond = options.rate;
  return withTransportOverrides({ ...config, target }, options);
}

async function selectedHttpSuites(config: ResolvedConfig, only: string[] | undefined, withDatabase: boolean) {
  const dirs = [BUILTIN_SUITES_DIR, ...config.suites.dirs.map((d) => path.resolve(config.dir, d))];
  const all = await loadSuites(dirs);
  const loaded = all.filter((l) => isHttpSuite(l.suite));
  const selected = selectSuites(loaded, { ...(only ? { only } : {}), include: config.suites.include, exclude: config.suites.exclude });
  if (selected.length === 0 && withDatabase && only?.some((id) => id === 'db' || id.startsWith('db.'))) return { selected: [], otherTargets: [] };
  if (selected.length === 0) throw new TenancyAuditError('TA_USAGE', 'no HTTP suite selected', { hint: 'Check --suite and suites.include/exclude.' });
  // Without --suite: the other target's suites, for the ones the config declares not applicable.
  const otherTargets = only && only.length > 0 ? [] : all.filter((l) => !isHttpSuite(l.suite)).map((l) => l.suite);
  return { selected: selected.map((l) => l.suite as HttpSuiteDefinition), otherTargets };
}

/** The command that replays a finding of this run, without its suite and seed (each finding adds its own). */
function replayBase(options: Pick<RunOptions, 'config' | 'target'>): string {
  const file = typeof options.config === 'string' ? options.config : options.config?.file;
  const rel = file ? path.relative(process.cwd(), path.resolve(file)) : '';
  const config = file ? ` --config ${rel && !rel.startsWith('..') ? rel : path.resolve(file)}` : '';
  return `tenancy-audit run${config}${options.target ? ` --target ${options.target}` : ''}`;
}

function urlPassword(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password ? [password] : [];
  } catch {
    return [];
  }
}
