import type { EvidenceStep } from '../core/types.ts';
import type { CallbackReceiver } from '../execute/callback-receiver.ts';
import { parseJsonSafe } from '../core/json-path.ts';
import { judgeProbe } from '../judge/probe.ts';
import { judgeControl, judgeLegit } from '../judge/control.ts';
import type { Outcome, TransportFailureKind } from '../core/exchange.ts';
import type { ScenarioRequest, ScenarioWorld, WorldResponse } from '../generate/scenario.ts';
import type { CallbackWaits } from './callback-waits.ts';
import type { EngineContext } from './context.ts';
import { newMarker } from './fixtures.ts';
import { exchangeStep } from '../evidence/exchange-step.ts';
import { buildRequest } from '../execute/request.ts';

export interface RecordingWorld extends ScenarioWorld {
  /** The numbered steps this scenario produced. */
  readonly steps: EvidenceStep[];
  /** When this scenario first waited for callbacks (`performance.now()`) and for how long it could; undefined: never. */
  callbackWindow(): { startedAt: number; waitMs: number } | undefined;
  /** The paths of the callback endpoints this scenario handed out. */
  readonly endpointPaths: ReadonlySet<string>;
}

/** How a world waits for callbacks: the run's waits, and whether it is a positive control's. */
export interface WorldWaits {
  waits: CallbackWaits;
  phase: 'control' | 'scenario';
}

/** A fresh world for one scenario: requests go through the run's scoped client and become evidence steps. */
export function createWorld(ctx: EngineContext, receiver: CallbackReceiver | undefined, waiting?: WorldWaits): RecordingWorld {
  const steps: EvidenceStep[] = [];
  const stepKeys: (string | undefined)[] = [];
  const firstDelivery = receiver?.all().length ?? 0;
  const received = () => receiver?.all().slice(firstDelivery) ?? [];
  const configuredMs = ctx.config.async?.callbacks?.timeoutMs ?? 10_000;
  const callbackWaitMs = () => waiting?.waits.waitMs(waiting.phase) ?? configuredMs;
  let window: { startedAt: number; waitMs: number } | undefined;
  const endpointPaths = new Set<string>();
  return {
    endpointPaths,
    callbackWindow: () => window,
    callbackWaitMs,
    async awaitCallbacks(wait) {
      const timeoutMs = wait.timeoutMs ?? callbackWaitMs();
      const startedAt = performance.now();
      window ??= { startedAt, waitMs: timeoutMs };
      if (!receiver) return { seen: [], met: wait.until([]), timeoutMs };
      const end = waiting?.waits.begin('callbacks');
      try {
        const met = await receiver.waitUntil(() => wait.until(received()), timeoutMs);
        if (met && waiting?.phase === 'control') waiting.waits.observeControl(performance.now() - startedAt);
        return { seen: received(), met, timeoutMs };
      } finally {
        end?.();
      }
    },
    steps,
    tenants: ctx.config.tenants.map((t) => t.id),
    config: ctx.config,
    forgeries: ctx.credentials.applicable,
    marker: newMarker,
    canaries: () => ctx.fixtures.canaries(),
    async send(input: ScenarioRequest): Promise<WorldResponse> {
      const template = input.template ?? ctx.operations.get(input.operation ?? '');
      if (!template) throw new Error(`scenario step "${input.title}" names no operation or template`);
      const authorization = input.credential.kind === 'none' ? null : await ctx.credentials.authorization(input.credential);
      const request = buildRequest(ctx.config, template, {
        tenant: input.tenant,
        vars: { ...ctx.fixtures.idsOf(input.tenant), ...input.vars },
        authorization,
      });
      Object.assign(request.headers, lowerKeys(input.headers ?? {}));
      if (input.rawBody !== undefined) request.body = input.rawBody;
      const exchange = await ctx.client.send(request);
      const earlier = input.stepKey === undefined ? -1 : stepKeys.lastIndexOf(input.stepKey);
      const n = earlier >= 0 ? earlier + 1 : steps.length + 1;
      const step = exchangeStep(n, input.title, exchange, credentialNote(input));
      if (earlier >= 0) steps[earlier] = step;
      else {
        steps.push(step);
        stepKeys.push(input.stepKey);
      }
      if (exchange.outcome.kind === 'failure') {
        return { status: undefined, headers: {}, bodyText: '', json: undefined, failure: exchange.outcome.failure };
      }
      const { status, headers, bodyText } = exchange.outcome.response;
      return { status, headers, bodyText, json: parseJsonSafe(bodyText) };
    },
    note(title, detail) {
      steps.push({ n: steps.length + 1, title, ...(detail ? { note: detail } : {}) });
      stepKeys.push(undefined);
    },
    callbackEndpoint() {
      if (!receiver) throw new Error('no callback receiver: configure `async` to test callbacks');
      const endpoint = receiver.endpoint();
      endpointPaths.add(endpoint.path);
      return endpoint;
    },
    callbacksReceived: received,
    judge(observation) {
      const { response } = observation;
      const outcome: Outcome =
        response.status === undefined
          ? { kind: 'failure', failure: { kind: (response.failure?.kind ?? 'error') as TransportFailureKind, message: response.failure?.message ?? 'no response' } }
          : { kind: 'response', response: { status: response.status, headers: response.headers, bodyText: response.bodyText } };
      const canaries = ctx.fixtures.canaries();
      if (observation.expect === 'accept' && observation.actor !== null) {
        const legit = { actor: observation.actor, canaries, outcome };
        return observation.ownData ? judgeControl({ ...legit, expectOwnCanary: true }) : judgeLegit(legit);
      }
      return judgeProbe(
        {
          family: observation.family,
          credential: observation.credential,
          actor: observation.actor,
          canaries,
          outcome,
          ...(observation.sideEffects ? { sideEffects: observation.sideEffects } : {}),
        },
        ctx.rules,
      );
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

function credentialNote(input: ScenarioRequest): string | undefined {
  const c = input.credential;
  if (c.kind === 'none') return undefined;
  if (c.kind === 'legit') return `a legit token of ${c.tenant}`;
  return `the "${c.forgeryId}" forgery built from a legit token of ${c.actor}`;
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}
