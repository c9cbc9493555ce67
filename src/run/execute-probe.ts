import type { EvidenceStep } from '../core/types.ts';
import type { Probe } from '../generate/probe.ts';
import { judgeProbe } from '../judge/probe.ts';
import type { ProbeObservation } from '../judge/types.ts';
import { readOperationOf, type EngineContext } from './context.ts';
import { newMarker, repairFixture } from './fixtures.ts';
import { exchangeStep } from '../evidence/exchange-step.ts';
import type { JudgedCase } from '../evidence/records.ts';
import { buildRequest } from '../execute/request.ts';

/** One fired case, judged: what the engine records and the shrinker compares. */
export type CaseResult = JudgedCase;

const WRITES = new Set(['create', 'update', 'delete']);

/** Fires one probe, reads back where an accepted write landed, repairs foreign fixtures it broke, and judges. */
export async function executeProbe(ctx: EngineContext, probe: Probe): Promise<CaseResult> {
  const t0 = performance.now();
  const op = ctx.operations.get(probe.operation)!;
  const marker = newMarker();
  const owner = probe.objectOwner;
  const authorization = await ctx.credentials.authorization(probe.credential);
  const request = buildRequest(ctx.config, op, {
    tenant: probe.actor ?? owner,
    vars: { ...ctx.fixtures.idsOf(owner), id: op.fixture ? ctx.fixtures.get(op.fixture, owner)?.id : undefined, marker, canary: marker },
    authorization,
    assertion: probe.assertion,
  });
  const exchange = await ctx.client.send(request);
  const addressesObject = /\{\{(id|fixtures\.[^}]+\.id)\}\}/.test(JSON.stringify([op.path, op.query ?? null, op.body ?? null]));
  const steps = [exchangeStep(1, describeStep(probe, addressesObject), exchange, credentialNote(probe))];

  let sideEffects: ProbeObservation['sideEffects'];
  // Every write is read back, whatever it answered: a write that lands and then answers 403 or 500
  // (or times out) must be judged by where it landed, never passed on its status alone.
  if (WRITES.has(op.kind)) sideEffects = await readBack(ctx, probe, marker, steps);

  const canaries = ctx.fixtures.canaries();
  const observation: ProbeObservation = {
    family: probe.family,
    credential: probe.credential.kind === 'legit' ? 'legit' : 'invalid',
    actor: probe.actor,
    canaries,
    outcome: exchange.outcome,
    operation: { public: op.public, shared: op.shared, write: WRITES.has(op.kind) },
    ...(sideEffects ? { sideEffects } : {}),
  };
  return {
    meta: probe,
    judgement: judgeProbe(observation, ctx.rules),
    steps,
    startedAt: exchange.startedAt,
    durationMs: Math.round(performance.now() - t0),
  };
}

/** After an accepted write: which tenants now show the marker, and whether the addressed foreign object changed. */
async function readBack(ctx: EngineContext, probe: Probe, marker: string, steps: EvidenceStep[]) {
  const op = ctx.operations.get(probe.operation)!;
  const landedIn: string[] = [];
  const foreignChanged: string[] = [];
  const verify = op.verify ? ctx.operations.get(op.verify) : undefined;
  if (verify) {
    for (const { id: tenant } of ctx.config.tenants) {
      const request = buildRequest(ctx.config, verify, { tenant, vars: { ...ctx.fixtures.idsOf(tenant), id: fixtureId(ctx, verify.fixture, tenant) }, authorization: undefined });
      const exchange = await ctx.sendAs(tenant, request);
      const body = exchange.outcome.kind === 'response' ? exchange.outcome.response.bodyText : '';
      if (body.includes(marker)) landedIn.push(tenant);
      steps.push(exchangeStep(steps.length + 1, `read back ${verify.id} as ${tenant} (legit)`, exchange, `a legit token of ${tenant}`));
    }
  }
  const owner = probe.objectOwner;
  const read = readOperationOf(ctx, op.fixture);
  // The addressed object is read back as its owner — also when the owner is the actor, so a fixture a
  // probe destroyed is always rebuilt and never mistaken later for damage done by another probe.
  if (read && op.fixture && (op.kind === 'update' || op.kind === 'delete')) {
    const entry = ctx.fixtures.get(op.fixture, owner)!;
    const request = buildRequest(ctx.config, read, { tenant: owner, vars: { ...ctx.fixtures.idsOf(owner), id: entry.id }, authorization: undefined });
    const exchange = await ctx.sendAs(owner, request);
    steps.push(exchangeStep(steps.length + 1, `read back ${read.id} as ${owner} (legit)`, exchange, `a legit token of ${owner}`));
    if (exchange.outcome.kind === 'response') {
      const { status, bodyText } = exchange.outcome.response;
      const gone = status === 404 || status === 410;
      const altered = status >= 200 && status < 300 && (bodyText.includes(marker) || !bodyText.includes(entry.canary));
      if (gone || altered) {
        if (owner !== probe.actor) foreignChanged.push(owner);
        await repairFixture(ctx.config, ctx.fixtures, op.fixture, owner, ctx.sendAs);
      }
    }
  }
  const unverified =
    op.kind === 'create' && !verify
      ? `operation ${op.id} has no \`verify\` operation to read back where a create landed`
      : (op.kind === 'update' || op.kind === 'delete') && op.fixture && !read
        ? `no read operation of fixture ${op.fixture} to read back the addressed object`
        : undefined;
  return { landedIn, foreignChanged, ...(unverified ? { unverified } : {}) };
}

function fixtureId(ctx: EngineContext, fixture: string | undefined, tenant: string): string | undefined {
  return fixture ? ctx.fixtures.get(fixture, tenant)?.id : undefined;
}

function describeStep(probe: Probe, addressesObject: boolean): string {
  const who = probe.credential.kind === 'legit' ? `${probe.credential.tenant}'s legit token` : `forged credential "${probe.mutation.id}"`;
  const assertion = probe.assertion ? `, ${probe.mutation.title}` : '';
  const owner = addressesObject && probe.objectOwner !== probe.actor ? ` on ${probe.objectOwner}'s object` : '';
  return `${probe.operation} with ${who}${assertion}${owner}`;
}

function credentialNote(probe: Probe): string {
  const spec = probe.credential;
  if (spec.kind === 'legit') return `a legit token of ${spec.tenant}`;
  return `the "${spec.forgeryId}" forgery built from a legit token of ${spec.actor} (aimed at ${spec.other}); tenancy-audit run --seed replays it`;
}
