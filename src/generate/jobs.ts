import { readJsonPath } from '../core/json-path.ts';
import type { ReceivedCallback, ScenarioWorld, WorldCallbackEndpoint, WorldResponse } from './scenario.ts';

/**
 * A job submitted by {@link submitJob}: `jobId` is read from the submit response (undefined when it held none), and
 * `callback` is the endpoint given to the target when one was requested and callbacks are configured.
 */
export interface SubmittedJob {
  tenant: string;
  marker: string;
  jobId: string | undefined;
  submit: WorldResponse;
  callback?: WorldCallbackEndpoint;
}

/** What {@link pollJob} saw: `finished` is false when the job never reached a configured terminal state before the timeout. */
export interface PolledJob {
  /** The last poll response; undefined when polling never got an answer. */
  response: WorldResponse | undefined;
  finished: boolean;
}

/** Submits one job as `tenant` through the configured `async.submit` request. */
export async function submitJob(world: ScenarioWorld, tenant: string, options: { withCallback: boolean }): Promise<SubmittedJob> {
  const spec = world.config.async!;
  const marker = world.marker();
  const callback = options.withCallback && spec.callbacks ? world.callbackEndpoint() : undefined;
  const submit = await world.send({
    title: `${tenant} submits a job${callback ? ' with its own callback URL' : ''}`,
    template: spec.submit,
    credential: { kind: 'legit', tenant },
    tenant,
    vars: { marker, canary: marker, ...(callback ? { callbackUrl: callback.url } : {}) },
  });
  const id = readJsonPath(submit.json, spec.submit.jobId);
  const jobId = typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  return { tenant, marker, jobId, submit, ...(callback ? { callback } : {}) };
}

/** Polls a job as its owner until the configured terminal state or the timeout (bounded; never loops forever). */
export async function pollJob(world: ScenarioWorld, job: SubmittedJob): Promise<PolledJob> {
  const spec = world.config.async!.poll;
  if (!job.jobId) return { response: undefined, finished: false };
  const deadline = Date.now() + spec.timeoutMs;
  let response: WorldResponse | undefined;
  let polls = 0;
  while (Date.now() < deadline) {
    polls++;
    response = await world.send({
      title: `${job.tenant} polls its job${polls > 1 ? ` (poll ${polls}; earlier polls omitted)` : ''}`,
      stepKey: `poll:${job.jobId}`,
      template: spec,
      credential: { kind: 'legit', tenant: job.tenant },
      tenant: job.tenant,
      vars: { jobId: job.jobId },
    });
    const state = readJsonPath(response.json, spec.until.jsonPath);
    if (typeof state === 'string' && spec.until.in.includes(state)) return { response, finished: true };
    await world.sleep(spec.intervalMs);
  }
  return { response, finished: false };
}

/**
 * Whether a callback's body names a job: a JSON value equal to `jobId` anywhere in it, or, for a body that is not
 * JSON, `jobId` as a whole word (job `12` is not named by `123`).
 */
export function callbackNamesJob(body: string, jobId: string): boolean {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const escaped = jobId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^A-Za-z0-9_-])${escaped}($|[^A-Za-z0-9_-])`).test(body);
  }
  const names = (value: unknown): boolean => {
    if (typeof value === 'string' || typeof value === 'number') return String(value) === jobId;
    if (Array.isArray(value)) return value.some(names);
    if (value && typeof value === 'object') return Object.values(value).some(names);
    return false;
  };
  return names(json);
}

/** Where a job's callbacks went: those at the URL it registered, and those (among `seen`) that name it but landed elsewhere. */
export function callbacksOf(job: SubmittedJob, seen: readonly ReceivedCallback[]): { own: readonly ReceivedCallback[]; elsewhere: readonly ReceivedCallback[] } {
  const own = job.callback?.deliveries() ?? [];
  const jobId = job.jobId;
  const elsewhere = jobId === undefined ? [] : seen.filter((d) => !own.includes(d) && callbackNamesJob(d.body, jobId));
  return { own, elsewhere };
}
