import type { ReceivedCallback } from '../core/exchange.ts';
import type { Family } from '../core/types.ts';
import type { Judgement } from '../core/verdict.ts';
import type { ParsedConfig } from '../config/schema.ts';
import type { CredentialSpec } from './probe.ts';
import type { CaseMeta, Cell, ForgeryInfo } from './space.ts';

/** The answer to a request a scenario sent through {@link ScenarioWorld.send}; `json` is the parsed body, or undefined when it is not JSON. */
export interface WorldResponse {
  /** Undefined when the request failed in transport (see `failure`). */
  status: number | undefined;
  headers: Record<string, string>;
  bodyText: string;
  json: unknown;
  failure?: { kind: string; message: string };
}

export interface ScenarioRequestTemplate {
  method: string;
  path: string;
  query?: Record<string, string> | undefined;
  headers?: Record<string, string> | undefined;
  body?: unknown;
}

/**
 * One request a scenario asks the world to send: a configured operation or an explicit template, with the credential
 * to use. It becomes a numbered, redacted step of the evidence.
 */
export interface ScenarioRequest {
  /** The numbered step's title in evidence and reports. */
  title: string;
  /** A configured operation id, or an explicit template. */
  operation?: string;
  template?: ScenarioRequestTemplate;
  /** `none` sends no Authorization header at all. */
  credential: CredentialSpec | { kind: 'none' };
  /** Whose fixture ids and path variables fill the template. */
  tenant: string;
  vars?: Record<string, string>;
  headers?: Record<string, string>;
  /** Sent as is instead of the rendered body (signed webhooks need the exact bytes). */
  rawBody?: string;
  /** Repeated requests with the same key keep one step, the latest (e.g. polling). */
  stepKey?: string;
}

export type { ReceivedCallback };

/**
 * A unique callback URL on the run's receiver, to hand to the target for one job. `waitFor` resolves once `count`
 * deliveries arrived, or with those that did when `timeoutMs` passes.
 */
export interface WorldCallbackEndpoint {
  url: string;
  deliveries(): readonly ReceivedCallback[];
  waitFor(count: number, timeoutMs: number): Promise<readonly ReceivedCallback[]>;
}

/** What {@link ScenarioWorld.awaitCallbacks} waits for. */
export interface CallbackWait {
  /**
   * True once waiting longer cannot change the verdict: every callback the scenario needs arrived, or a foreign or
   * misrouted one already did (the verdict is a leak whatever comes next). Called with every callback this scenario
   * saw so far, to any path, now and after each new delivery.
   */
  until(seen: readonly ReceivedCallback[]): boolean;
  /** At most this long; default: the run's callback wait ({@link ScenarioWorld.callbackWaitMs}). */
  timeoutMs?: number;
}

/** How a {@link ScenarioWorld.awaitCallbacks} wait ended: `met` is false when the deadline came first. */
export interface CallbackWaitResult {
  seen: readonly ReceivedCallback[];
  met: boolean;
  /** The deadline this wait had. */
  timeoutMs: number;
}

/** A response to judge with {@link ScenarioWorld.judge}, with who sent it and what it should show. */
export interface WorldObservation {
  /** `accept`: a legit request that must succeed and show only the actor's data; `reject` (default): a mutation. */
  expect?: 'accept' | 'reject';
  /** With `accept`: the actor's own canary must show too (a positive control proving the oracle can see data). */
  ownData?: boolean;
  family: Family;
  credential: 'legit' | 'invalid';
  actor: string | null;
  response: WorldResponse;
  sideEffects?: { landedIn: readonly string[]; foreignChanged: readonly string[] };
}

/**
 * The I/O a stateful scenario may use, injected by the engine: scenarios stay declarative and testable,
 * and every request they send becomes a numbered, redacted step of the evidence.
 */
export interface ScenarioWorld {
  readonly tenants: readonly string[];
  readonly config: ParsedConfig;
  readonly forgeries: readonly ForgeryInfo[];
  /** A fresh unique string to plant in writes. */
  marker(): string;
  canaries(): Readonly<Record<string, readonly string[]>>;
  send(request: ScenarioRequest): Promise<WorldResponse>;
  /** Adds a step that is not a request (e.g. "callback received at …"). */
  note(title: string, detail?: string): void;
  callbackEndpoint(): WorldCallbackEndpoint;
  /** Every callback the receiver got during this scenario, to any path. */
  callbacksReceived(): readonly ReceivedCallback[];
  /**
   * Waits until `wait.until` holds or its deadline passes (never a fixed sleep). A positive control waits up to
   * `async.callbacks.timeoutMs`; a scenario up to {@link ScenarioWorld.callbackWaitMs}. Callbacks keep being recorded
   * after the wait: see {@link ScenarioOutcome.rejudge}.
   */
  awaitCallbacks(wait: CallbackWait): Promise<CallbackWaitResult>;
  /**
   * How long this scenario waits for callbacks: the configured `async.callbacks.timeoutMs` in a positive control;
   * in a scenario, 3× the slowest callback the run's positive controls waited for + 500 ms, never more than the
   * configured timeout (the configured timeout until a control saw a callback).
   */
  callbackWaitMs(): number;
  /** Judges a response with the run's rules and canaries (same oracle as single probes). */
  judge(observation: WorldObservation): Judgement;
  sleep(ms: number): Promise<void>;
}

/** The result of one scenario (or its positive control): the case it describes and its judgement. */
export interface ScenarioOutcome {
  meta: CaseMeta;
  judgement: Judgement;
  /**
   * The scenario applied no mutation (a sequence whose attacking commands all were skipped): it tested nothing, so
   * it is neither a pass nor evidence, and the engine does not record it (see `runSequence`).
   */
  untested?: boolean;
  /**
   * Judges the scenario again from every callback received by the end of the run, without sending anything. A
   * scenario that stopped waiting for callbacks early is judged again once it has been observed for its whole
   * callback wait: a foreign callback that came after it stopped waiting is recorded then, never lost as a pass.
   */
  rejudge?: () => Omit<ScenarioOutcome, 'rejudge' | 'untested'>;
}

/** A cell whose cases are stateful scenarios (e.g. `fc.commands` sequences), run through the injected world. */
export interface ScenarioCell<S = unknown> extends Cell<S> {
  kind: 'scenario';
  /**
   * The positive control, run once before any scenario: the legit path must work (and show only the
   * actor's data) or the cell is `inconclusive` — a scenario suite must never pass vacuously.
   */
  control(world: ScenarioWorld): Promise<ScenarioOutcome>;
  run(world: ScenarioWorld, scenario: S): Promise<ScenarioOutcome>;
}
