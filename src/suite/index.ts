/**
 * `tenancy-audit/suite`: everything an HTTP suite file needs, and nothing else. Built-in suites import from here
 * exactly as a user's suite does.
 *
 * @example
 * import { defineSuite, forgeryCell, scopedOperations } from 'tenancy-audit/suite';
 * export default defineSuite({ id: 'my.suite', target: 'http', cells: (space) => [...], ... });
 */
export { defineSuite, type SuiteDefinitionBase } from './define.ts';
export type { HttpSuiteDefinition } from './http.ts';
export {
  assertionCell,
  assertedValues,
  carriersFor,
  foreignObjectCell,
  forgeryCell,
  scopedOperations,
  SPECIAL_TENANT_VALUES,
} from '../generate/arbitraries.ts';
export { ASSERTION_CHANNELS, describeProbe, type Probe, type Assertion, type CredentialSpec } from '../generate/probe.ts';
export type { ProbeCell, ProbeSpace, OperationView, ForgeryInfo, CaseMeta, Cell } from '../generate/space.ts';
export type { ScenarioCell, ScenarioWorld, ScenarioOutcome, ScenarioRequest, WorldResponse, WorldObservation, ReceivedCallback, WorldCallbackEndpoint, CallbackWait, CallbackWaitResult } from '../generate/scenario.ts';
export { runSequence, requireVerdict, ScenarioVerdict, pass, worstOf, type SequenceOptions } from '../generate/sequence.ts';
export { forgeWebhook, legitWebhook, hmacHeader, hmacMatches, WEBHOOK_FORGERIES, type WebhookForgery } from '../generate/webhooks.ts';
export { submitJob, pollJob, callbacksOf, callbackNamesJob, type SubmittedJob, type PolledJob } from '../generate/jobs.ts';
export { renderValue } from '../execute/template.ts';
export { judgeProbe, judgeControl } from '../judge/index.ts';
export type { Judgement } from '../core/verdict.ts';
