/**
 * tenancy-audit's programmatic API: the package's main entry (`import … from 'tenancy-audit'`). The CLI
 * (`src/cli`) is a thin layer over these functions; suite authors may import the narrower
 * `tenancy-audit/suite` and `tenancy-audit/db` entries instead. ARCHITECTURE.md says what each stage owns.
 *
 * @example
 * import { run, renderReport } from 'tenancy-audit';
 * const result = await run({ config: 'tenancy-audit.config.yaml', seed: 42 });
 * await renderReport(result.dir);
 * process.exitCode = result.exitCode;
 */

// ── Runs: HTTP and data layer, one run folder each (evidence, manifest), the same exit codes ──────────────
export { run, type RunOptions, type RunResult } from './run/run.ts';
export { runDatabaseAudit, type DatabaseAuditOptions } from './run/database-run.ts';
export { listSuites, type ListedSuite } from './run/list-suites.ts';
export { explain, type Explanation } from './run/explain.ts';
export { parseShard, type Shard } from './run/plan.ts';
export type { AuditEvent, AuditEventHandler } from './core/events.ts';

// ── Configuration ─────────────────────────────────────────────────────────────────────────────────────────
export { defineConfig, loadConfig, resolveConfig, validateConfig } from './config/load.ts';
export { configJsonSchema, type UserConfig, type ParsedConfig } from './config/schema.ts';
export type { ResolvedConfig } from './config/resolve.ts';
export { initConfig, type InitOptions, type InitResult } from './discover/init.ts';

// ── Suites (the same names as `tenancy-audit/suite`) ─────────────────────────────────────────────────────
export * from './suite/index.ts';

// ── Data layer (the engine; suite-facing types are in `tenancy-audit/db`) ──────────────────────────────────
export { auditDatabase, validateDbAuditOptions, provisionDatabase, type DbAuditOptions, type DbAuditOutcome, type DbContextOptions, type DbContextPreset, type MembershipOptions, type ProvisionedDatabase } from './db/index.ts';

// ── Evidence and reports ──────────────────────────────────────────────────────────────────────────────────
export { legitToken, type LegitTokenOptions } from './run/token.ts';
export { verifyChain, verifyRun, type ChainResult, type VerifyOptions, type VerifyResult } from './evidence/index.ts';
export {
  REPORT_FORMATS,
  parseReportFormats,
  renderReport,
  createTerminalReporter,
  paint,
  formatReportSummary,
  formatVerifyResult,
  formatChainResult,
  type RenderReportOptions,
  type RenderedReport,
  type ReportFormat,
} from './report/index.ts';

// ── Kernel: errors, verdicts, exit codes, version ─────────────────────────────────────────────────────────
export { TenancyAuditError, ConfigError, DatabaseUnavailableError, type TenancyAuditErrorCode, type ConfigIssue } from './core/errors.ts';
export { VERDICTS, FAIL_LEVELS, DEFAULT_FAIL_ON, type Verdict, type FailLevel } from './core/verdict.ts';
export { EXIT } from './core/exit-codes.ts';
export { TOOL_VERSION } from './core/package-root.ts';
export type * from './core/types.ts';
