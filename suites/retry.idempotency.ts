import fc from 'fast-check';
import {
  defineSuite,
  requireVerdict,
  runSequence,
  type CaseMeta,
  type ScenarioCell,
  type ScenarioWorld,
  type WorldResponse,
} from 'tenancy-audit/suite';

const id = 'retry.idempotency';

interface Stored {
  owner: string;
  key: string;
  resourceId: string;
  canary: string;
  /** Other tenants that sent this key and got a fresh resource of their own: their own cache entry (tenant → resource). */
  entriesOfOthers: Map<string, string>;
}
interface Model {
  keys: Map<number, Stored>;
}
interface Real {
  world: ScenarioWorld;
  operation: string;
  header: string;
  scope: string;
}

const meta = (real: Real, mutation: string, title: string, family: CaseMeta['family'], actor: string | null, victim: string | null): CaseMeta => ({
  suite: id,
  family,
  path: 'retry',
  operation: real.operation,
  mutation: { id: mutation, title },
  actor,
  victim,
});

function resourceIdOf(response: WorldResponse): string | undefined {
  const json = response.json as { id?: unknown } | undefined;
  return typeof json?.id === 'string' || typeof json?.id === 'number' ? String(json.id) : undefined;
}

/** Tenant creates a resource under a fresh key (the positive control of every later replay). */
class Create implements fc.AsyncCommand<Model, Real> {
  constructor(readonly tenant: number, readonly slot: number) {}
  check = (m: Readonly<Model>) => !m.keys.has(this.slot);
  async run(m: Model, r: Real) {
    const tenant = r.world.tenants[this.tenant % r.world.tenants.length]!;
    const key = `ta-${r.scope}-${this.slot}`;
    const canary = r.world.canaries()[tenant]![0]!;
    const res = await r.world.send({ title: `${tenant} creates with Idempotency-Key ${key}`, operation: r.operation, credential: { kind: 'legit', tenant }, tenant, vars: { marker: canary, canary }, headers: { [r.header]: key } });
    const resourceId = resourceIdOf(res);
    if (res.status === undefined || res.status >= 300 || !resourceId) {
      requireVerdict(meta(r, 'create-with-key', 'create with a fresh key', 'cross-tenant', tenant, null), {
        verdict: 'inconclusive',
        reason: 'control-rejected',
        detail: `the legit create with a fresh key got ${res.status ?? res.failure?.message}; the oracle is not live`,
        seen: [],
      });
    }
    m.keys.set(this.slot, { owner: tenant, key, resourceId: resourceId!, canary, entriesOfOthers: new Map() });
  }
  toString = () => `Create(tenant#${this.tenant}, key#${this.slot})`;
}

/** The owner replays its key: the original response comes back (idempotency works, so isolation can be judged). */
class ReplaySameTenant implements fc.AsyncCommand<Model, Real> {
  constructor(readonly slot: number) {}
  check = (m: Readonly<Model>) => m.keys.has(this.slot);
  async run(m: Model, r: Real) {
    const stored = m.keys.get(this.slot)!;
    const res = await r.world.send({ title: `${stored.owner} replays its own key ${stored.key}`, operation: r.operation, credential: { kind: 'legit', tenant: stored.owner }, tenant: stored.owner, vars: { marker: stored.canary, canary: stored.canary }, headers: { [r.header]: stored.key } });
    if (res.status === undefined || res.status >= 300 || resourceIdOf(res) !== stored.resourceId) {
      requireVerdict(meta(r, 'replay-same-tenant', 'same-tenant replay returns the original', 'cross-tenant', stored.owner, null), {
        verdict: 'inconclusive',
        reason: 'idempotency-not-honoured',
        detail: `replaying ${stored.owner}'s own key did not return the original resource (HTTP ${res.status ?? '-'}); replay isolation cannot be judged`,
        seen: [],
      });
    }
  }
  toString = () => `ReplaySameTenant(key#${this.slot})`;
}

/** Another tenant replays the owner's key with the owner's body: it must never get the owner's response or resource. */
class ReplayOtherTenant implements fc.AsyncCommand<Model, Real> {
  readonly mutation = true;
  constructor(readonly slot: number, readonly tenant: number) {}
  check = (m: Readonly<Model>) => m.keys.has(this.slot);
  async run(m: Model, r: Real) {
    const stored = m.keys.get(this.slot)!;
    const others = r.world.tenants.filter((t) => t !== stored.owner);
    const tenant = others[this.tenant % others.length]!;
    const res = await r.world.send({ title: `${tenant} replays ${stored.owner}'s key ${stored.key} with the same body`, operation: r.operation, credential: { kind: 'legit', tenant }, tenant, vars: { marker: stored.canary, canary: stored.canary }, headers: { [r.header]: stored.key } });
    const m2 = meta(r, 'replay-key-other-tenant', "replay another tenant's idempotency key", 'cross-tenant', tenant, stored.owner);
    const served = resourceIdOf(res);
    const own = stored.entriesOfOthers.get(tenant);
    // A replayed response is the tenant's own only when it made an entry under this key before and gets that resource back.
    const replayedForeign = res.status !== undefined && res.status < 300 && res.headers['idempotent-replayed'] === 'true' && (own === undefined || served !== own);
    if (served === stored.resourceId || replayedForeign) {
      requireVerdict(m2, { verdict: 'leak', reason: 'replayed-foreign-response', detail: `${tenant} was served ${stored.owner}'s cached response (resource ${stored.resourceId})`, seen: [stored.owner] });
    }
    if (own === undefined && served !== undefined && res.status !== undefined && res.status < 300) stored.entriesOfOthers.set(tenant, served);
    // The body carries the owner's canary, so a fresh resource of the replaying tenant echoes it: judge the
    // replay by identity (same resource, a replayed response), not by canary. A rejection is also fail-closed.
    if (res.status === undefined) requireVerdict(m2, { verdict: 'inconclusive', reason: 'transport-error', detail: res.failure?.message ?? 'no response', seen: [] });
    else if (res.status === 429) requireVerdict(m2, { verdict: 'inconclusive', reason: 'rate-limited', detail: 'HTTP 429', seen: [] });
    else if (res.status >= 500) requireVerdict(m2, { verdict: 'closed-by-error', reason: 'server-error', detail: `HTTP ${res.status}`, seen: [] });
  }
  toString = () => `ReplayOtherTenant(key#${this.slot}, tenant#${this.tenant})`;
}

/** The owner's key replayed with a missing or forged identity: rejected, never served from the cache. */
class ReplayForged implements fc.AsyncCommand<Model, Real> {
  readonly mutation = true;
  constructor(readonly slot: number, readonly forgery: number) {}
  check = (m: Readonly<Model>) => m.keys.has(this.slot);
  async run(m: Model, r: Real) {
    const stored = m.keys.get(this.slot)!;
    const forgery = r.world.forgeries[this.forgery % r.world.forgeries.length]!;
    const other = r.world.tenants.find((t) => t !== stored.owner)!;
    const res = await r.world.send({ title: `replay of ${stored.owner}'s key ${stored.key} with forged credential "${forgery.id}"`, operation: r.operation, credential: { kind: 'forged', forgeryId: forgery.id, actor: stored.owner, other }, tenant: stored.owner, vars: { marker: stored.canary, canary: stored.canary }, headers: { [r.header]: stored.key } });
    const actor = forgery.family === 'missing' ? null : stored.owner;
    requireVerdict(meta(r, `replay-key-${forgery.id}`, `replay with forged identity: ${forgery.title}`, forgery.family, actor, stored.owner), r.world.judge({ family: forgery.family, credential: 'invalid', actor, response: res }));
  }
  toString = () => `ReplayForged(key#${this.slot}, forgery#${this.forgery})`;
}

const slot = fc.integer({ min: 0, max: 1 });
const commands = fc.commands(
  [
    fc.tuple(fc.nat(), slot).map(([t, s]) => new Create(t, s)),
    slot.map((s) => new ReplaySameTenant(s)),
    fc.tuple(slot, fc.nat()).map(([s, t]) => new ReplayOtherTenant(s, t)),
    fc.tuple(slot, fc.nat()).map(([s, f]) => new ReplayForged(s, f)),
  ],
  { maxCommands: 6 },
);

export default defineSuite({
  id,
  title: "An idempotent retry never replays another tenant's result",
  description:
    "Model-based sequences over idempotency keys: tenants create resources under keys, replay their own keys (which must return the original), replay another tenant's key with the same body, and replay keys with missing or forged identities. A replay must never return another tenant's cached response or resource, and a replay without a valid identity must be rejected rather than served from the cache.",
  families: ['cross-tenant', 'missing', 'spoofed'],
  paths: ['retry'],
  severity: 'critical',
  controls: { soc2: ['CC6.1', 'CC6.7'], iso27001: ['8.3', '8.12', '8.28'] },
  remediation:
    'Key the idempotency cache by (tenant, key) — never the key alone — and authenticate the request before looking the key up, so a replay is only ever served to the tenant that made the original request.',
  target: 'http',
  cells: (space) => (space.config.idempotency ? [idempotencyCell()] : []),
});

function idempotencyCell(): ScenarioCell<Iterable<fc.AsyncCommand<Model, Real>>> {
  return {
    kind: 'scenario',
    key: `${id}/sequences`,
    operation: 'idempotency',
    arbitrary: commands,
    // Each attack once, deterministically, before the generated sequences (each starts from a created key: see `sequence`).
    examples: [[new ReplayOtherTenant(0, 0)], [new ReplayForged(0, 0)], [new ReplayOtherTenant(0, 0), new ReplayOtherTenant(0, 0)]],
    control: (world) => sequence(world, [new Create(0, 0), new ReplaySameTenant(0)], 'positive-control', 'a tenant creates with a fresh key, then replays it and gets the original'),
    run: (world, cmds) => sequence(world, cmds, 'sequence', 'idempotency sequence'),
  };
}

/**
 * Runs one sequence. A generated sequence starts from a key tenant #0 created (slot 0), so its replays have something
 * to replay: without it most generated sequences would skip every attack and test nothing (never a pass, and not recorded).
 */
function sequence(world: ScenarioWorld, cmds: Iterable<fc.AsyncCommand<Model, Real>>, mutation: string, title: string) {
  if (mutation !== 'positive-control') cmds = [new Create(0, 0), ...cmds];
  const settings = world.config.idempotency;
  const real: Real = { world, operation: settings?.operations[0] ?? '', header: settings?.header ?? 'Idempotency-Key', scope: world.marker().slice(10) };
  const actor = mutation === 'positive-control' ? (world.tenants[0] ?? null) : null;
  return runSequence(() => ({ model: { keys: new Map() }, real }), cmds, meta(real, mutation, title, 'cross-tenant', actor, null), { control: mutation === 'positive-control' });
}

