import crypto from 'node:crypto';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { FixtureConfig } from '../config/schema.ts';
import type { Exchange, OutgoingRequest } from '../core/exchange.ts';
import { TenancyAuditError } from '../core/errors.ts';
import { parseJsonSafe, readJsonPath } from '../core/json-path.ts';
import { buildRequest } from '../execute/request.ts';
import { placeholdersIn } from '../execute/template.ts';

export interface FixtureEntry {
  id: string;
  canary: string;
  /** Created by this run (and so deleted at teardown). */
  created: boolean;
}

/** Ids and canaries of every tenant's fixtures; canaries are what the oracle scans responses for. */
export class FixtureStore {
  private readonly entries = new Map<string, FixtureEntry>();

  get(fixture: string, tenant: string): FixtureEntry | undefined {
    return this.entries.get(`${fixture}\u0000${tenant}`);
  }

  set(fixture: string, tenant: string, entry: FixtureEntry): void {
    this.entries.set(`${fixture}\u0000${tenant}`, entry);
  }

  /** `{{fixtures.<name>.id}}` values for one tenant. */
  idsOf(tenant: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, entry] of this.entries) {
      const [fixture, owner] = key.split('\u0000') as [string, string];
      if (owner === tenant) out[`fixtures.${fixture}.id`] = entry.id;
    }
    return out;
  }

  canaries(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [key, entry] of this.entries) {
      const tenant = key.split('\u0000')[1]!;
      (out[tenant] ??= []).push(entry.canary);
    }
    return out;
  }

  created(): { fixture: string; tenant: string; entry: FixtureEntry }[] {
    return [...this.entries].filter(([, e]) => e.created).map(([key, entry]) => {
      const [fixture, tenant] = key.split('\u0000') as [string, string];
      return { fixture, tenant, entry };
    });
  }
}

export type SendAs = (tenant: string, request: OutgoingRequest) => Promise<Exchange>;

export function newCanary(): string {
  return `ta-canary-${crypto.randomBytes(8).toString('hex')}`;
}

/** A value a write plants, to find afterwards where it landed. */
export function newMarker(): string {
  return `ta-marker-${crypto.randomBytes(8).toString('hex')}`;
}

/** The fixtures whose ids a fixture's create request names (`{{fixtures.X.id}}`). */
function parentsOf(fixtures: Readonly<Record<string, FixtureConfig>>, name: string): string[] {
  const create = fixtures[name]?.create;
  const refs = create ? placeholdersIn(JSON.stringify(create)).filter((p) => p.startsWith('fixtures.')).map((p) => p.split('.')[1]!) : [];
  return refs.filter((r) => r in fixtures);
}

/** Fixture names in creation order: a fixture whose create request names `{{fixtures.X.id}}` comes after X. */
export function fixtureOrder(fixtures: Readonly<Record<string, FixtureConfig>>): string[] {
  const order: string[] = [];
  const visit = (name: string, trail: string[]) => {
    if (order.includes(name)) return;
    if (trail.includes(name)) throw new TenancyAuditError('TA_CONFIG_INVALID', `fixtures depend on each other in a cycle: ${[...trail, name].join(' → ')}`);
    parentsOf(fixtures, name).forEach((r) => visit(r, [...trail, name]));
    order.push(name);
  };
  Object.keys(fixtures).forEach((name) => visit(name, []));
  return order;
}

/** Creates (or adopts pre-existing) fixtures for every tenant, each with a fresh canary. */
export async function setupFixtures(config: ResolvedConfig, sendAs: SendAs): Promise<FixtureStore> {
  const store = new FixtureStore();
  for (const name of fixtureOrder(config.fixtures)) {
    const fixture = config.fixtures[name]!;
    for (const { id: tenant } of config.tenants) {
      const existing = fixture.ids?.[tenant];
      if (existing !== undefined) {
        store.set(name, tenant, { id: existing, canary: fixture.canaries?.[tenant] ?? existing, created: false });
        continue;
      }
      store.set(name, tenant, await createFixture(config, store, name, tenant, newCanary(), sendAs));
    }
  }
  return store;
}

export async function createFixture(
  config: ResolvedConfig,
  store: FixtureStore,
  name: string,
  tenant: string,
  canary: string,
  sendAs: SendAs,
): Promise<FixtureEntry> {
  const create = config.fixtures[name]!.create!;
  const request = buildRequest(config, create, {
    tenant,
    vars: { ...store.idsOf(tenant), canary, marker: canary, tenant },
    authorization: undefined,
  });
  const exchange = await sendAs(tenant, request);
  const where = `${create.method} ${create.path} as ${tenant}`;
  if (exchange.outcome.kind === 'failure') {
    throw new TenancyAuditError('TA_TARGET_UNREACHABLE', `fixture "${name}" could not be created (${where}): ${exchange.outcome.failure.message}`, {
      hint: 'Check target.baseUrl and that the target is running.',
    });
  }
  const { status, bodyText } = exchange.outcome.response;
  const id = readJsonPath(parseJsonSafe(bodyText), create.id);
  if (status < 200 || status >= 300 || (typeof id !== 'string' && typeof id !== 'number')) {
    throw new TenancyAuditError(
      'TA_TARGET_UNREACHABLE',
      `fixture "${name}" could not be created (${where}): HTTP ${status}${status < 300 ? `, no id at "${create.id}"` : ''}`,
      { hint: "The legit token for this tenant must be accepted: check identity.tokens, and fixtures.<name>.create.id (where the new id is in the response)." },
    );
  }
  return { id: String(id), canary, created: true };
}

export async function teardownFixtures(config: ResolvedConfig, store: FixtureStore, sendAs: SendAs): Promise<number> {
  let failures = 0;
  for (const { fixture, tenant, entry } of store.created().reverse()) {
    const remove = config.fixtures[fixture]?.delete;
    if (!remove) continue;
    const request = buildRequest(config, remove, { tenant, vars: { ...store.idsOf(tenant), id: entry.id, tenant }, authorization: undefined });
    const exchange = await sendAs(tenant, request);
    if (exchange.outcome.kind === 'failure' || (exchange.outcome.response.status >= 300 && exchange.outcome.response.status !== 404)) failures++;
  }
  return failures;
}

/**
 * Rebuilds a fixture a probe destroyed or altered (same canary, new id), and every fixture created under
 * it (e.g. documents of a deleted project), so later probes still have the victim's data to look for.
 */
export async function repairFixture(config: ResolvedConfig, store: FixtureStore, name: string, tenant: string, sendAs: SendAs): Promise<void> {
  const affected = new Set([name]);
  const order = fixtureOrder(config.fixtures);
  for (const other of order) if (parentsOf(config.fixtures, other).some((p) => affected.has(p))) affected.add(other);
  for (const fixture of order.filter((f) => affected.has(f))) {
    const entry = store.get(fixture, tenant);
    if (!entry || !config.fixtures[fixture]?.create) continue;
    const rebuilt = await createFixture(config, store, fixture, tenant, entry.canary, sendAs).catch(() => undefined);
    if (rebuilt) store.set(fixture, tenant, rebuilt);
  }
}
