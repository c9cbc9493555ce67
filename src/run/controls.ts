import type { OperationConfig } from '../config/schema.ts';
import type { Exchange, OutgoingRequest } from '../core/exchange.ts';
import type { EvidenceStep } from '../core/types.ts';
import { judgeControl } from '../judge/control.ts';
import { parseJsonSafe, readJsonPath } from '../core/json-path.ts';
import { readOperationOf, type EngineContext } from './context.ts';
import { createFixture, newCanary, newMarker } from './fixtures.ts';
import { exchangeStep } from '../evidence/exchange-step.ts';
import type { JudgedControl } from '../evidence/records.ts';
import { buildRequest } from '../execute/request.ts';

export type ControlResult = JudgedControl;

/** `opening`: before the probes (decides which operations are live); `closing`: after them, when tokens rotated or expired mid-run. */
export type ControlPhase = 'opening' | 'closing';

/**
 * Positive controls: each operation, called by each tenant with its legit token and its own objects,
 * must succeed (and show the tenant's canary where it reads a fixture). Probes on an operation whose
 * control failed are not judged: the oracle would not be live.
 */
export async function runControls(ctx: EngineContext, operations: readonly OperationConfig[], phase: ControlPhase = 'opening'): Promise<ControlResult[]> {
  const results: ControlResult[] = [];
  for (const op of operations) {
    for (const { id: tenant } of ctx.config.tenants) results.push(await runControl(ctx, op, tenant, phase));
  }
  return results;
}

/**
 * Sends the control request; on a 401 asks the token source to refresh this tenant's token once and retries once
 * (both exchanges are evidence steps). Returns the exchange judged and whether a refresh was needed.
 */
async function sendControl(ctx: EngineContext, tenant: string, request: OutgoingRequest, title: string, steps: EvidenceStep[]): Promise<{ exchange: Exchange; refreshed: boolean }> {
  const note = `a legit token of ${tenant}`;
  const first = await ctx.sendAs(tenant, request);
  steps.push(exchangeStep(steps.length + 1, title, first, note));
  if (first.outcome.kind !== 'response' || first.outcome.response.status !== 401) return { exchange: first, refreshed: false };
  const stale = first.request.headers['authorization'] ?? null;
  let fresh: string | undefined;
  try {
    fresh = await ctx.credentials.refreshLegit(tenant, stale);
  } catch (error) {
    steps.push({ n: steps.length + 1, title: `token refresh for ${tenant} after HTTP 401 failed`, note: error instanceof Error ? error.message : String(error) });
    return { exchange: first, refreshed: false };
  }
  if (fresh === undefined) {
    steps.push({ n: steps.length + 1, title: `HTTP 401: the token source of ${tenant} cannot refresh`, note: 'control not retried' });
    return { exchange: first, refreshed: false };
  }
  steps.push({ n: steps.length + 1, title: `HTTP 401: token of ${tenant} refreshed once, control retried once`, note: fresh === stale ? 'the source returned the same token (refresh disabled)' : 'a new token was obtained' });
  const retry = await ctx.client.send({ ...request, headers: { ...request.headers, authorization: fresh } });
  steps.push(exchangeStep(steps.length + 1, `${title}, retried after the token refresh`, retry, note));
  return { exchange: retry, refreshed: true };
}

async function runControl(ctx: EngineContext, op: OperationConfig, tenant: string, phase: ControlPhase): Promise<ControlResult> {
  const t0 = performance.now();
  const marker = newMarker();
  const note = `a legit token of ${tenant}`;
  let id = op.fixture ? ctx.fixtures.get(op.fixture, tenant)?.id : undefined;
  const steps: EvidenceStep[] = [];

  if (op.kind === 'delete' && op.fixture && ctx.config.fixtures[op.fixture]?.create) {
    // Delete a throwaway object, never the fixture other probes rely on.
    try {
      id = (await createFixture(ctx.config, ctx.fixtures, op.fixture, tenant, newCanary(), ctx.sendAs)).id;
    } catch (error) {
      // Setting up the control failed (e.g. a dead token): the control is not live, never a pass.
      steps.push({ n: 1, title: `create a throwaway ${op.fixture} as ${tenant} (legit)`, note: error instanceof Error ? error.message : String(error) });
      const judgement = { verdict: 'inconclusive' as const, reason: 'control-setup-failed', detail: `the throwaway object for the control of ${op.id} as ${tenant} could not be created`, seen: [] };
      return { operation: op.id, tenant, judgement, steps, startedAt: new Date().toISOString(), durationMs: Math.round(performance.now() - t0) };
    }
  }
  const request = buildRequest(ctx.config, op, { tenant, vars: { ...ctx.fixtures.idsOf(tenant), id, marker, canary: marker }, authorization: undefined });
  const label = phase === 'closing' ? 'closing positive control' : 'positive control';
  const { exchange, refreshed } = await sendControl(ctx, tenant, request, `${label}: ${op.id} as ${tenant} (legit)`, steps);

  let landedInOwn: boolean | undefined;
  const succeeded = exchange.outcome.kind === 'response' && exchange.outcome.response.status < 300;
  if (succeeded && (op.kind === 'create' || op.kind === 'update')) {
    const check = op.kind === 'create' ? (op.verify ? ctx.operations.get(op.verify) : undefined) : readOperationOf(ctx, op.fixture);
    if (check) {
      const readBack = buildRequest(ctx.config, check, { tenant, vars: { ...ctx.fixtures.idsOf(tenant), id: check.fixture ? ctx.fixtures.get(check.fixture, tenant)?.id : undefined }, authorization: undefined });
      const seen = await ctx.sendAs(tenant, readBack);
      steps.push(exchangeStep(steps.length + 1, `read back ${check.id} as ${tenant} (legit)`, seen, note));
      const body = seen.outcome.kind === 'response' ? seen.outcome.response.bodyText : '';
      landedInOwn = body.includes(marker);
      if (op.kind === 'update' && op.fixture) await restoreIfCanaryLost(ctx, op.fixture, tenant, body);
    }
    if (op.kind === 'create') await removeCreated(ctx, op, tenant, exchange.outcome.kind === 'response' ? exchange.outcome.response.bodyText : '');
  }
  let judgement = judgeControl({
    actor: tenant,
    canaries: ctx.fixtures.canaries(),
    outcome: exchange.outcome,
    expectOwnCanary: (op.kind === 'list' || op.kind === 'read') && op.fixture !== undefined,
    ...(op.shared === true && (op.kind === 'list' || op.kind === 'read') ? { shared: true } : {}),
    ...(landedInOwn === undefined ? {} : { landedInOwn }),
  });
  // A closing control that needed a refresh shows the token the probes were sending had died: whatever they were
  // answered since then may be a rejection of the dead token, not of the mutation. Never a pass.
  if (phase === 'closing' && refreshed && judgement.verdict === 'pass') {
    judgement = { ...judgement, verdict: 'inconclusive', reason: 'control-token-expired', detail: `the legit token of ${tenant} was rejected (HTTP 401) at the end of the run; the probes since it died were not judged against a live oracle` };
  }
  return { operation: op.id, tenant, judgement, steps, startedAt: exchange.startedAt, durationMs: Math.round(performance.now() - t0) };
}

async function restoreIfCanaryLost(ctx: EngineContext, fixture: string, tenant: string, body: string): Promise<void> {
  const entry = ctx.fixtures.get(fixture, tenant);
  if (!entry || body.includes(entry.canary) || !ctx.config.fixtures[fixture]?.create) return;
  ctx.fixtures.set(fixture, tenant, await createFixture(ctx.config, ctx.fixtures, fixture, tenant, entry.canary, ctx.sendAs));
}

async function removeCreated(ctx: EngineContext, op: OperationConfig, tenant: string, body: string): Promise<void> {
  const fixture = op.fixture ? ctx.config.fixtures[op.fixture] : undefined;
  const id = readJsonPath(parseJsonSafe(body), fixture?.create?.id ?? 'id');
  if (!fixture?.delete || (typeof id !== 'string' && typeof id !== 'number')) return;
  await ctx.sendAs(tenant, buildRequest(ctx.config, fixture.delete, { tenant, vars: { ...ctx.fixtures.idsOf(tenant), id: String(id) }, authorization: undefined }));
}
