// The seeded bugs show through the GraphQL face too, because it runs the same edge (edge.ts), tenant
// assertions and data layer as the HTTP routes. Every probe runs against every one of these modes: it
// must fire in its own mode (the leaky twin) and be rejected, with the expected code, in all the others,
// fail-closed included (the fail-closed twin).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode, RunningTarget } from '../src/index.ts';
import { canary, graphql, startTarget, stopAll, tokensFor, type GraphqlReply, type Tenant } from './support.ts';

const MODES_WITH_GRAPHQL = ['fail-closed', 'header-override', 'body-override', 'bola-read', 'bola-write', 'soft-fail-empty'] as const satisfies readonly Mode[];
type GraphqlMode = (typeof MODES_WITH_GRAPHQL)[number];

interface Running {
  target: RunningTarget;
  tokens: Record<Tenant, string>;
}

interface Outcome {
  /** The bug was observed: another tenant's data read or written, or a rejection turned into an answer. */
  fired: boolean;
  reply: GraphqlReply;
}

interface Probe {
  mode: Exclude<GraphqlMode, 'fail-closed'>;
  shows: string;
  /** The error code of the same probe where the bug is absent. */
  rejectedWith: string;
  run(t: Running): Promise<Outcome>;
}

const CREATE = 'mutation($input: CreateProjectInput!) { createProject(input: $input) { id tenantId name } }';

async function project(t: Running, tenant: Tenant, label: string): Promise<{ id: string; name: string }> {
  const reply = await graphql(t.target, t.tokens[tenant], CREATE, { input: { name: canary(label) } });
  if (!reply.body?.data?.createProject) throw new Error(`could not create a project: ${reply.text}`);
  return reply.body.data.createProject;
}

async function names(t: Running, tenant: Tenant): Promise<string[]> {
  const reply = await graphql(t.target, t.tokens[tenant], '{ projects { name } }');
  return reply.body.data.projects.map((p: { name: string }) => p.name);
}

const probes: Probe[] = [
  {
    mode: 'header-override',
    shows: "acme token + X-Tenant-ID: globex lists globex's projects",
    rejectedWith: 'TENANT_MISMATCH',
    async run(t) {
      const globex = await project(t, 'globex', 'globex');
      const reply = await graphql(t.target, t.tokens.acme, '{ projects { name tenantId } }', undefined, { 'X-Tenant-ID': 'globex' });
      return { reply, fired: reply.text.includes(globex.name) };
    },
  },
  {
    mode: 'body-override',
    shows: 'acme token + createProject(input: {tenantId: "globex"}) creates the project in globex',
    rejectedWith: 'TENANT_MISMATCH',
    async run(t) {
      const name = canary('planted');
      const reply = await graphql(t.target, t.tokens.acme, CREATE, { input: { name, tenantId: 'globex' } });
      return { reply, fired: reply.body?.data?.createProject?.tenantId === 'globex' && (await names(t, 'globex')).includes(name) };
    },
  },
  {
    mode: 'bola-read',
    shows: "globex token reads acme's project by id (project and node)",
    rejectedWith: 'NOT_FOUND',
    async run(t) {
      const acme = await project(t, 'acme', 'acme');
      const reply = await graphql(t.target, t.tokens.globex, 'query($id: ID!) { project(id: $id) { name tenantId } }', { id: acme.id });
      const node = await graphql(t.target, t.tokens.globex, 'query($id: ID!) { node(id: $id) { ... on Project { name } } }', { id: acme.id });
      const fired = reply.body?.data?.project?.name === acme.name;
      expect(node.text.includes(acme.name)).toBe(fired); // node(id:) goes through the same read
      return { reply, fired };
    },
  },
  {
    mode: 'bola-write',
    shows: "globex token renames acme's project by id",
    rejectedWith: 'NOT_FOUND',
    async run(t) {
      const acme = await project(t, 'acme', 'acme');
      const renamed = canary('renamed-by-globex');
      const reply = await graphql(t.target, t.tokens.globex, 'mutation($id: ID!, $name: String!) { updateProject(input: {id: $id, name: $name}) { name } }', {
        id: acme.id,
        name: renamed,
      });
      return { reply, fired: (await names(t, 'acme')).includes(renamed) };
    },
  },
  {
    mode: 'soft-fail-empty',
    shows: 'no token: `projects` answers [] instead of an authentication error',
    rejectedWith: 'MISSING_CREDENTIALS',
    async run(t) {
      await project(t, 'acme', 'acme');
      const reply = await graphql(t.target, undefined, '{ projects { id } projectsConnection { totalCount } }');
      const fired = reply.status === 200 && reply.body?.errors === undefined && Array.isArray(reply.body?.data?.projects);
      if (fired) {
        expect(reply.body.data).toEqual({ projects: [], projectsConnection: { totalCount: 0 } });
        // other fields still reject a missing token, as the HTTP face's non-list routes do
        expect((await graphql(t.target, undefined, 'mutation { createProject(input: {name: "x"}) { id } }')).codes).toEqual(['MISSING_CREDENTIALS']);
      }
      return { reply, fired };
    },
  },
];

const running = new Map<GraphqlMode, Running>();

beforeAll(async () => {
  for (const mode of MODES_WITH_GRAPHQL) {
    const target = await startTarget(mode);
    running.set(mode, { target, tokens: await tokensFor(target) });
  }
}, 240_000);
afterAll(stopAll);

describe('seeded bugs through the GraphQL face', () => {
  it('has one probe per bug mode', () => {
    expect(probes.map((p) => p.mode).sort()).toEqual(MODES_WITH_GRAPHQL.filter((m) => m !== 'fail-closed').sort());
  });

  describe.each(probes)('$mode: $shows', (probe) => {
    it('fail-closed twin: rejected (200, data null, the expected code) in every other mode', async () => {
      for (const mode of MODES_WITH_GRAPHQL.filter((m) => m !== probe.mode)) {
        const { fired, reply } = await probe.run(running.get(mode)!);
        expect(fired, `${mode}: ${reply.text}`).toBe(false);
        expect(reply.status, mode).toBe(200);
        expect(reply.body.data, mode).toBeNull();
        expect(reply.codes, mode).toEqual([probe.rejectedWith]);
      }
    });

    it(`leaky twin: fires in ${probe.mode}`, async () => {
      const { fired, reply } = await probe.run(running.get(probe.mode)!);
      expect(fired, reply.text).toBe(true);
    });
  });
});
