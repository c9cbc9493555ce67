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
import { auditHttp, type HttpRunState } from './http-audit.ts';
import { httpManifestFacts } from './manifest.ts';
import { politenessFor } from './session.ts';
import type { Shard } from './plan.ts';
import { closeRunFolder, openRunFolder, type RunResult } from './run-folder.ts';
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
  try {
    inconclusiveSuites = await auditHttp(state);
  } catch (error) {
    failure = error;
  } finally {
    options.signal?.removeEventListener('abort', stopOnSignal);
  }

  // A spent budget (or an interrupt) is the cause of whatever failed after it: report the cause.
  const incompleteReason = budget.exhausted ?? (failure === undefined ? undefined : failure instanceof Error ? failure.message : String(failure));
  const result = await closeRunFolder(folder, httpManifestFacts(state), {
    failOn,
    ...(incompleteReason !== undefined ? { incompleteReason } : {}),
    failed: failure !== undefined,
    interrupted: budget.exhausted === 'interrupted',
    inconclusiveSuites,
    ...(state.signKey ? { signKey: state.signKey } : {}),
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
  const suites = await selectedHttpSuites(config, options.suites);
  if (options.shard && options.seed === undefined && config.run.seed === undefined) {
    throw new TenancyAuditError('TA_USAGE', '--shard needs --seed (or run.seed in the config)', {
      hint: 'Every shard of one run must generate from the same seed so the shards can be merged.',
    });
  }
  const maxDurationSeconds = options.maxDurationSeconds ?? config.run.maxDurationSeconds;
  const signKey = options.signKey ?? config.run.signKey;
  const budget = new Budget(options.maxRequests ?? config.run.maxRequests, maxDurationSeconds === undefined ? undefined : maxDurationSeconds * 1000);
  return {
    config,
    suites,
    metas: suites.map(suiteMeta),
    seed: options.seed ?? config.run.seed ?? crypto.randomInt(0, 2 ** 31 - 1),
    runs: options.runs ?? config.run.runs,
    failOn: options.failOn ?? config.run.failOn,
    command: options.command ?? 'tenancy-audit run',
    ...(options.shard ? { shard: options.shard } : {}),
    ...(signKey ? { signKey } : {}),
    ...(options.provider ? { provider: options.provider } : {}),
    budget,
    politeness: politenessFor(config, budget),
    emit: options.onEvent ?? (() => {}),
    folder: await withGeneratedConfig(await openRunFolder(options.reportDir ?? config.run.reportDir, config.secrets, suites.map((s) => s.id)), generatedYaml),
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

async function selectedHttpSuites(config: ResolvedConfig, only: string[] | undefined): Promise<HttpSuiteDefinition[]> {
  const dirs = [BUILTIN_SUITES_DIR, ...config.suites.dirs.map((d) => path.resolve(config.dir, d))];
  const loaded = (await loadSuites(dirs)).filter((l) => isHttpSuite(l.suite));
  const selected = selectSuites(loaded, { ...(only ? { only } : {}), include: config.suites.include, exclude: config.suites.exclude });
  if (selected.length === 0) throw new TenancyAuditError('TA_USAGE', 'no HTTP suite selected', { hint: 'Check --suite and suites.include/exclude.' });
  return selected.map((l) => l.suite as HttpSuiteDefinition);
}
