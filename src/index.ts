/**
 * tenancy-audit's programmatic API. The CLI (`src/cli`) is a thin layer over these functions.
 *
 * @example
 * import { run } from 'tenancy-audit';
 * const result = await run({ config: 'tenancy-audit.config.yaml', seed: 42 });
 * process.exitCode = result.exitCode;
 */
export { run, type RunOptions, type RunResult } from './run/run.ts';
export type { AuditEvent, AuditEventHandler } from './run/events.ts';
export { defineConfig, loadConfig, resolveConfig, validateConfig } from './config/load.ts';
export { configJsonSchema, type UserConfig, type ParsedConfig } from './config/schema.ts';
export type { ResolvedConfig } from './config/resolve.ts';
export { defineSuite, type SuiteDefinitionBase } from './suite/define.ts';
export type { HttpSuiteDefinition } from './suite/http.ts';
export {
  assertionCell,
  assertedValues,
  carriersFor,
  foreignObjectCell,
  forgeryCell,
  scopedOperations,
  SPECIAL_TENANT_VALUES,
} from './generate/arbitraries.ts';
export { ASSERTION_CHANNELS, describeProbe, type Probe, type Assertion, type CredentialSpec } from './generate/probe.ts';
export type { ProbeCell, ProbeSpace, OperationView, ForgeryInfo, CaseMeta, Cell } from './generate/space.ts';
export type { ScenarioCell, ScenarioWorld, ScenarioOutcome, ScenarioRequest, WorldResponse, WorldObservation, ReceivedCallback, WorldCallbackEndpoint } from './generate/scenario.ts';
export { runSequence, requireVerdict, ScenarioVerdict, pass, worstOf } from './generate/sequence.ts';
export { forgeWebhook, hmacHeader, hmacMatches, WEBHOOK_FORGERIES, type WebhookForgery } from './generate/webhooks.ts';
export { renderValue } from './run/template.ts';
export { submitJob, pollJob, type SubmittedJob, type PolledJob } from './generate/jobs.ts';
export type { Judgement } from './core/verdict.ts';
export { judgeProbe, judgeControl } from './judge/index.ts';
export { verifyRun } from './evidence/index.ts';
export { provisionDatabase, type ProvisionedDatabase } from './db/provision.ts';
export { auditDatabase, validateDbAuditOptions, type DbAuditOptions, type DbAuditOutcome } from './db/audit/index.ts';
export { renderReport, type RenderReportOptions } from './report/index.ts';
export { TenancyAuditError, ConfigError, type TenancyAuditErrorCode, type ConfigIssue } from './core/errors.ts';
export { VERDICTS, FAIL_LEVELS, type Verdict, type FailLevel } from './core/verdict.ts';
export type * from './core/types.ts';
