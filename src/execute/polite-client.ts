import type { Exchange, OutgoingRequest } from '../core/exchange.ts';
import type { HttpClient } from './http-client.ts';
import type { Budget } from './limits.ts';
import type { PolitenessController } from './politeness.ts';

/**
 * An `HttpClient` that is polite to its target: each request first waits for the controller (a Retry-After pause,
 * then the adaptive rate), and each answer is reported back to it. A request answered 429/503 whose method is
 * idempotent is sent once more after the wait (when the controller allows retries), so a momentary refusal does
 * not leave a probe unjudged; the second answer is the one judged and recorded, with a note saying so, and a
 * second refusal is judged as it is (inconclusive). When the controller gives up (the target kept refusing),
 * the run's budget is stopped with its reason: nothing more is sent and the run ends incomplete.
 * The waits end early when the budget is stopped (an interrupt) and never outlast `--max-duration`.
 */
export function withPoliteness(client: HttpClient, controller: PolitenessController): HttpClient {
  const budget = client.budget;

  async function sendOnce(req: OutgoingRequest): Promise<Exchange> {
    const held = admitted(controller, budget);
    if (held) await held;
    const ticket = controller.sent();
    const exchange = await client.send(req);
    if (exchange.outcome.kind === 'response') {
      const { status, headers } = exchange.outcome.response;
      controller.observe(ticket, status, headers);
      const reason = controller.gaveUp;
      if (reason && !budget.exhausted) budget.stop(reason);
    }
    return exchange;
  }

  return {
    budget,
    transport: client.transport,
    close: () => client.close(),
    async send(req: OutgoingRequest): Promise<Exchange> {
      const first = await sendOnce(req);
      if (first.outcome.kind !== 'response' || !controller.retries(req.method, first.outcome.response.status) || budget.exhausted) return first;
      const refused = first.outcome.response;
      controller.noteRetry();
      const second = await sendOnce(req);
      // Not sent after all (budget, interrupt): the refusal is the answer.
      if (second.outcome.kind === 'failure' && second.outcome.failure.kind === 'budget') return first;
      if (second.outcome.kind === 'response') {
        const retryAfter = refused.headers['retry-after'];
        const note = `sent twice: the first answer was HTTP ${refused.status}${retryAfter !== undefined ? ` (Retry-After: ${retryAfter}, honoured)` : ''}`;
        const headers = second.outcome.response.headers;
        headers['x-tenancy-audit-note'] = headers['x-tenancy-audit-note'] ? `${headers['x-tenancy-audit-note']}; ${note}` : note;
      }
      return second;
    },
  };
}

/** Waits until the controller admits a request; nothing to wait for (undefined) when it goes at once. */
function admitted(controller: PolitenessController, budget: Budget): Promise<void> | undefined {
  const first = controller.admit();
  if (first.slot && first.waitMs < 1) return undefined;
  return (async () => {
    let admission = first;
    // A pause or back-off that began while this request waited moves it behind the pause, at the new rate.
    for (;;) {
      const cap = budget.remainingMs();
      if (budget.exhausted || cap === 0) return;
      await sleep(cap === undefined ? admission.waitMs : Math.min(admission.waitMs, cap), budget);
      if (admission.slot && controller.epoch === admission.epoch) return;
      admission = controller.admit();
      if (admission.slot && admission.waitMs < 1) return;
    }
  })();
}

/** Sleeps `ms`, or until the budget is stopped. */
function sleep(ms: number, budget: Budget): Promise<void> {
  return new Promise<void>((resolve) => {
    let unsubscribe = (): void => {};
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, ms);
    unsubscribe = budget.onStop(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
