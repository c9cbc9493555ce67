import fc from 'fast-check';
import { defineSuite, foreignObjectCell, scopedOperations, type OperationView, type ProbeSpace, type ScenarioCell, type ScenarioWorld } from 'tenancy-audit/suite';

const id = 'isolation.cross-tenant';

export default defineSuite({
  id,
  title: "Another tenant's objects cannot be read, listed, changed or deleted",
  description:
    "Tenant A's valid token is aimed at tenant B's object ids for read, update and delete, and at B's parent objects for listing and creating children. Each must be refused (404 preferred, 403 accepted); afterwards B's data is read back as B to prove no write landed there.",
  families: ['cross-tenant'],
  paths: ['sync'],
  severity: 'critical',
  controls: { soc2: ['CC6.1', 'C1.1'], iso27001: ['8.3', '5.15', '8.28'] },
  remediation:
    "Scope every lookup by the context tenant (and keep row-level security as the backstop): a foreign id must behave exactly like a missing one (404), and writes must include the tenant in their WHERE clause.",
  target: 'http',
  cells: (space) => [
    ...scopedOperations(space).map((op) => foreignObjectCell({ suite: id, family: 'cross-tenant' }, space, op)),
    ...publicReads(space).map((op) => publicLeakCell(space, op)),
  ],
});

/** Operations that are not tenant-scoped (public, `tenantScoped: false`) and read without naming an object. */
function publicReads(space: ProbeSpace): OperationView[] {
  return space.operations.filter((op) => !op.tenantScoped && op.method === 'GET' && !op.addressesObject && op.tenantPathVars.length === 0);
}

/**
 * A public operation is never required to reject, but it must never show a tenant's data: each tenant reads it with
 * its own token and no other tenant's canary may appear (a legit request that must succeed; a foreign canary is a leak).
 */
function publicLeakCell(space: ProbeSpace, op: OperationView): ScenarioCell<number> {
  const read = async (world: ScenarioWorld, index: number, mutation: { id: string; title: string }) => {
    const actor = world.tenants[index % world.tenants.length]!;
    const response = await world.send({ title: `${op.id} as ${actor} (legit)`, operation: op.id, credential: { kind: 'legit', tenant: actor }, tenant: actor });
    return {
      meta: { suite: id, family: 'cross-tenant' as const, path: 'sync' as const, operation: op.id, mutation, actor, victim: null },
      judgement: world.judge({ expect: 'accept', family: 'cross-tenant', credential: 'legit', actor, response }),
    };
  };
  return {
    kind: 'scenario',
    key: `${id}/${op.id}/public`,
    operation: op.id,
    arbitrary: fc.nat({ max: Math.max(0, space.tenants.length - 1) }),
    examples: space.tenants.map((_, i) => i),
    control: (world) => read(world, 0, { id: 'positive-control', title: 'a public operation answers a legit request' }),
    run: (world, index) => read(world, index, { id: 'public-read', title: 'a public operation shows no tenant\'s data' }),
  };
}
