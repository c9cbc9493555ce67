// Every seeded bug is observable from outside, and each mode differs from fail-closed only in its own
// bug: every probe runs against every mode and must fire exactly where expected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDER_SECRET, hmacSignature, MODES, TENANTS, type Mode, type RunningTarget } from '../src/index.ts';
import {
  as,
  attackerSigned,
  baseClaims,
  call,
  canary,
  compact,
  createProject,
  startReceiver,
  startTarget,
  stopAll,
  tampered,
  tokensFor,
  waitFor,
  waitForJobsDone,
  type Tenant,
} from './support.ts';

type Bug = Exclude<Mode, 'fail-closed'>;

interface Probe {
  bug: Bug;
  /** What a harness would see; `run` answers whether it was observed. */
  shows: string;
  /** Modes where the same probe fires for the same root cause. */
  alsoIn?: Mode[];
  run(target: RunningTarget): Promise<boolean>;
}

const targets = {} as Record<Mode, RunningTarget>;
const retryTargets = {} as Record<'fail-closed' | 'retry-context-lost', RunningTarget>;
let tokens: Record<Tenant, string>;

beforeAll(async () => {
  const modes = [...MODES];
  while (modes.length) {
    await Promise.all(modes.splice(0, 4).map(async (mode) => (targets[mode] = await startTarget(mode))));
  }
  retryTargets['fail-closed'] = await startTarget('fail-closed', { failFirstAttempt: true });
  retryTargets['retry-context-lost'] = await startTarget('retry-context-lost', { failFirstAttempt: true });
  tokens = await tokensFor(targets['fail-closed']); // one issuer: valid on every target
});
afterAll(stopAll);

const names = (body: { items?: { name: string }[] } | undefined) => (body?.items ?? []).map((p) => p.name);

async function projectPerTenant(t: RunningTarget): Promise<Record<Tenant, string>> {
  const result = {} as Record<Tenant, string>;
  for (const tenant of TENANTS) result[tenant] = (await createProject(t, tokens[tenant], canary(tenant))).name;
  return result;
}

function carriesForeign(output: string, own: Tenant, canaries: Record<Tenant, string>): boolean {
  return TENANTS.some((t) => t !== own && output.includes(canaries[t]));
}

const SYNC_PROBES: Probe[] = [
  {
    bug: 'header-override',
    shows: "acme token + X-Tenant-ID: globex lists globex's projects",
    async run(t) {
      const victim = await createProject(t, tokens.globex, canary('globex'));
      const reply = await as(t, tokens.acme).get('/projects', { headers: { 'X-Tenant-ID': 'globex' } });
      return reply.status === 200 && names(reply.body).includes(victim.name);
    },
  },
  {
    bug: 'body-override',
    shows: 'acme token + body tenantId globex creates a project inside globex',
    async run(t) {
      const name = canary('planted');
      const reply = await as(t, tokens.acme).post('/projects', { name, tenantId: 'globex' });
      return reply.status === 201 && names((await as(t, tokens.globex).get('/projects')).body).includes(name);
    },
  },
  {
    bug: 'path-override',
    shows: "acme token on /tenants/globex/projects lists globex's projects",
    async run(t) {
      const victim = await createProject(t, tokens.globex, canary('globex'));
      const reply = await as(t, tokens.acme).get('/tenants/globex/projects');
      return reply.status === 200 && names(reply.body).includes(victim.name);
    },
  },
  {
    bug: 'default-tenant',
    shows: "a signed token without tenant_id is served acme's data",
    async run(t) {
      const acmeProject = await createProject(t, tokens.acme, canary('acme'));
      const noTenant = await t.issuer.mint({ sub: 'user-without-tenant' });
      const reply = await as(t, noTenant).get('/projects');
      return reply.status === 200 && names(reply.body).includes(acmeProject.name);
    },
  },
  {
    bug: 'soft-fail-empty',
    shows: 'an anonymous GET /projects is 200 {items: []} instead of 401',
    async run(t) {
      await createProject(t, tokens.acme, canary('acme'));
      await as(t, tokens.acme).get('/projects');
      const reply = await as(t, undefined).get('/projects');
      return reply.status === 200 && Array.isArray(reply.body?.items) && reply.body.items.length === 0;
    },
  },
  {
    bug: 'unverified-signature',
    shows: "an attacker-signed RS256 token naming globex gets globex's projects",
    async run(t) {
      const victim = await createProject(t, tokens.globex, canary('globex'));
      const reply = await as(t, await attackerSigned(baseClaims('globex'))).get('/projects');
      return reply.status === 200 && names(reply.body).includes(victim.name);
    },
  },
  {
    bug: 'alg-none',
    shows: "an unsigned alg:none token naming globex gets globex's projects",
    async run(t) {
      const victim = await createProject(t, tokens.globex, canary('globex'));
      const reply = await as(t, compact({ alg: 'none', typ: 'JWT' }, baseClaims('globex'))).get('/projects');
      return reply.status === 200 && names(reply.body).includes(victim.name);
    },
  },
  {
    bug: 'bola-read',
    shows: "globex reads acme's project by id",
    async run(t) {
      const victim = await createProject(t, tokens.acme, canary('acme'));
      const reply = await as(t, tokens.globex).get(`/projects/${victim.id}`);
      return reply.status === 200 && reply.text.includes(victim.name);
    },
  },
  {
    bug: 'bola-write',
    shows: "globex renames acme's project by id",
    async run(t) {
      const victim = await createProject(t, tokens.acme, canary('acme'));
      const pwned = canary('pwned');
      await as(t, tokens.globex).patch(`/projects/${victim.id}`, { name: pwned });
      return (await as(t, tokens.acme).get(`/projects/${victim.id}`)).body?.name === pwned;
    },
  },
  {
    bug: 'idempotency-global',
    shows: "globex reusing acme's Idempotency-Key gets acme's stored project",
    async run(t) {
      const key = canary('key');
      const body = { name: canary('idem') };
      const first = await as(t, tokens.acme).post('/projects', body, { headers: { 'Idempotency-Key': key } });
      const replay = await as(t, tokens.globex).post('/projects', body, { headers: { 'Idempotency-Key': key } });
      return first.status === 201 && replay.body?.tenantId === 'acme' && replay.body?.id === first.body.id;
    },
  },
  {
    bug: 'rls-not-forced',
    shows: "globex reads acme's document by id (the query relies on RLS alone)",
    async run(t) {
      const project = await createProject(t, tokens.acme, canary('acme'));
      const doc = (await as(t, tokens.acme).post(`/projects/${project.id}/documents`, { title: canary('doc'), body: 'secret' })).body;
      const reply = await as(t, tokens.globex).get(`/documents/${doc.id}`);
      return reply.status === 200 && reply.text.includes(doc.title);
    },
  },
  {
    bug: 'session-setting-leak',
    shows: "after acme lists projects, an anonymous GET /projects returns acme's projects",
    async run(t) {
      const acmeProject = await createProject(t, tokens.acme, canary('acme'));
      await as(t, tokens.acme).get('/projects');
      const reply = await as(t, undefined).get('/projects');
      return reply.status === 200 && names(reply.body).includes(acmeProject.name);
    },
  },
];

// Async probes run after the synchronous ones on each target: they leave workers and callbacks busy.
const ASYNC_PROBES: Probe[] = [
  {
    bug: 'webhook-trusts-payload',
    shows: "a signed provider webhook naming globex overwrites acme's job output (fail-closed: 403)",
    async run(t) {
      const id = (await as(t, tokens.acme).post('/generations', { prompt: canary('prompt') })).body.id as string;
      await waitForJobsDone(t, [id]);
      const marker = canary('injected');
      const raw = JSON.stringify({ jobId: id, status: 'completed', output: marker, tenantId: 'globex' });
      await call(t, 'POST', '/webhooks/provider', { raw, headers: { 'content-type': 'application/json', 'X-Provider-Signature': hmacSignature(raw, DEFAULT_PROVIDER_SECRET) } });
      return (await as(t, tokens.acme).get(`/generations/${id}`)).body.output === marker;
    },
  },
  {
    bug: 'queue-context-lost',
    // rls-not-forced: the worker's context query relies on RLS alone, so it sees every tenant's projects.
    alsoIn: ['rls-not-forced'],
    shows: "jobs submitted by acme, globex, initech in turn carry another tenant's project names",
    async run(t) {
      const canaries = await projectPerTenant(t);
      // The bug is a race (a job runs as whichever tenant the service saw last): a loaded machine can run every
      // job before the next request arrives. A few rounds make the interleaving it needs near certain; a
      // fail-closed service never shows a foreign name however many rounds run.
      for (let round = 0; round < 3; round++) {
        const ids = {} as Record<Tenant, string>;
        for (const tenant of TENANTS) ids[tenant] = (await as(t, tokens[tenant]).post('/generations', { prompt: `job of ${tenant}` })).body.id;
        await as(t, tokens.acme).get('/projects'); // any job still queued now runs as acme under the bug
        await waitForJobsDone(t, Object.values(ids));
        for (const tenant of TENANTS) {
          const output = (await as(t, tokens[tenant]).get(`/generations/${ids[tenant]}`)).body.output as string;
          if (carriesForeign(output, tenant, canaries)) return true;
        }
      }
      return false;
    },
  },
  {
    bug: 'callback-misrouted',
    shows: "a tenant's callback receiver gets another tenant's job",
    async run(t) {
      const receivers = Object.fromEntries(await Promise.all(TENANTS.map(async (tenant) => [tenant, await startReceiver()] as const))) as Record<Tenant, Awaited<ReturnType<typeof startReceiver>>>;
      try {
        const owned = new Map<string, Tenant>();
        for (const tenant of [...TENANTS, 'acme'] as const) {
          const id = (await as(t, tokens[tenant]).post('/generations', { prompt: 'cb', callbackUrl: receivers[tenant].url })).body.id;
          owned.set(id, tenant);
        }
        await waitFor('4 deliveries', async () => TENANTS.reduce((n, tenant) => n + receivers[tenant].received.length, 0) >= 4);
        return TENANTS.some((tenant) => receivers[tenant].received.some((r) => owned.get(r.body?.jobId) !== tenant));
      } finally {
        await Promise.all(TENANTS.map((tenant) => receivers[tenant].close()));
      }
    },
  },
];

const RETRY_PROBE: Probe = {
  bug: 'retry-context-lost',
  shows: "with failFirstAttempt, globex's and initech's retried jobs carry acme's project names",
  async run(t) {
    const canaries = await projectPerTenant(t);
    const ids = {} as Record<Tenant, string>;
    for (const tenant of ['globex', 'initech'] as const) ids[tenant] = (await as(t, tokens[tenant]).post('/generations', { prompt: 'retry' })).body.id;
    await waitForJobsDone(t, Object.values(ids));
    let foreign = false;
    for (const tenant of ['globex', 'initech'] as const) {
      const job = (await as(t, tokens[tenant]).get(`/generations/${ids[tenant]}`)).body;
      expect(job.attempts).toBe(2);
      foreign ||= (job.output as string).includes(canaries.acme);
    }
    return foreign;
  },
};

const ALL_PROBES = [...SYNC_PROBES, ...ASYNC_PROBES];
const expectedFired = (mode: Mode) => ALL_PROBES.filter((p) => p.bug === mode || (p.alsoIn ?? []).includes(mode)).map((p) => p.bug);

it('has one probe per seeded bug', () => {
  const bugs = [...ALL_PROBES, RETRY_PROBE].map((p) => p.bug).sort();
  expect(bugs).toEqual(MODES.filter((m) => m !== 'fail-closed').sort());
});

// Modes run concurrently (one target each); the probes of one mode run in order, synchronous ones first.
describe('every probe against every mode', () => {
  it.concurrent.for(MODES)('%s fires exactly its own probe', async (mode, { expect }) => {
    const t = targets[mode];
    expect((await call(t, 'GET', '/healthz')).body).toEqual({ ok: true, mode });
    const fired: Bug[] = [];
    for (const probe of ALL_PROBES) if (await probe.run(t)) fired.push(probe.bug);
    expect(fired).toEqual(expectedFired(mode));
  });
});

describe('retry path (failFirstAttempt)', () => {
  it.each(['fail-closed', 'retry-context-lost'] as const)(`probe retry-context-lost on %s`, async (mode) => {
    expect(await RETRY_PROBE.run(retryTargets[mode])).toBe(mode === 'retry-context-lost');
  });
});

// ---- the same bugs in more detail, each as a pair: fail-closed vs the mode ----

describe('seeded bug details', () => {
  const pair = <M extends Bug>(mode: M) => [['fail-closed', false], [mode, true]] as [Mode, boolean][];

  it.each(pair('alg-none'))('alg none in every case variant on %s → accepted: %s', async (mode, accepted) => {
    const t = targets[mode];
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const reply = await as(t, compact({ alg }, baseClaims('initech'))).get('/projects');
      expect(reply.status, alg).toBe(accepted ? 200 : 401);
    }
    // claims are still checked, and RS256 is still verified
    expect((await as(t, compact({ alg: 'none' }, { ...baseClaims('initech'), iss: 'https://evil' })).get('/projects')).status).toBe(401);
    expect((await as(t, await attackerSigned(baseClaims('initech'))).get('/projects')).status).toBe(401);
  });

  it.each(pair('unverified-signature'))('tampered token (acme → globex, original signature) on %s → accepted: %s', async (mode, accepted) => {
    const t = targets[mode];
    const victim = await createProject(t, tokens.globex, canary('globex'));
    const forged = tampered(tokens.acme, { ...baseClaims('globex'), sub: 'user@acme' });
    const reply = await as(t, forged).get('/projects');
    expect(reply.status).toBe(accepted ? 200 : 401);
    expect(names(reply.body).includes(victim.name)).toBe(accepted);
    // claim checks still apply: an expired forged token is rejected either way
    expect((await as(t, tampered(tokens.acme, { ...baseClaims('globex'), exp: 1 })).get('/projects')).status).toBe(401);
  });

  it.each(pair('default-tenant'))('unusable tenant claims on %s fall back to acme: %s', async (mode, falls) => {
    const t = targets[mode];
    const acmeProject = await createProject(t, tokens.acme, canary('acme')); // so a fall-back to acme shows in the list
    for (const claim of [{}, { tenant_id: '' }, { tenant_id: null }, { tenant_id: 7 }, { tenant_id: ['globex'] }]) {
      const reply = await as(t, await t.issuer.mint({ sub: 'x', ...claim })).get('/projects');
      if (falls) expect(names(reply.body), JSON.stringify(claim)).toContain(acmeProject.name);
      if (falls) expect(reply.body.items.every((p: { tenantId: string }) => p.tenantId === 'acme'), JSON.stringify(claim)).toBe(true);
      else expect([401, 403], JSON.stringify(claim)).toContain(reply.status);
      expect(reply.status === 200).toBe(falls);
    }
    expect((await as(t, await t.issuer.mint({ tenant_id: 'umbrella' })).get('/projects')).status).toBe(403);
  });

  it.each(pair('soft-fail-empty'))('missing identity on %s → list endpoints 200 []: %s, other endpoints 401', async (mode, soft) => {
    const t = targets[mode];
    const project = await createProject(t, tokens.acme, canary('acme'));
    for (const headers of [{}, { authorization: 'Bearer ' }, { authorization: 'Bearer garbage' }, { authorization: 'Basic eDp5' }] as Record<string, string>[]) {
      for (const path of ['/projects', `/projects/${project.id}/documents`]) {
        const reply = await call(t, 'GET', path, { headers });
        expect(reply.status, `${path} ${JSON.stringify(headers)}`).toBe(soft ? 200 : 401);
        if (soft) expect(reply.body).toEqual({ items: [] });
      }
      expect((await call(t, 'GET', `/projects/${project.id}`, { headers })).status).toBe(401);
      expect((await call(t, 'POST', '/projects', { headers, json: { name: 'x' } })).status).toBe(401);
    }
    const expired = await t.issuer.mint({ tenant_id: 'acme' }, { expiresIn: '-10m' });
    expect((await as(t, expired).get('/projects')).status).toBe(401); // a bad credential is not "missing"
  });

  it.each(pair('session-setting-leak'))("anonymous lists on %s inherit the last tenant's session: %s", async (mode, leaks) => {
    const t = targets[mode];
    const project = await createProject(t, tokens.initech, canary('initech'));
    const doc = (await as(t, tokens.initech).post(`/projects/${project.id}/documents`, { title: canary('doc'), body: 'b' })).body;
    await as(t, tokens.initech).get('/projects');
    const list = await as(t, undefined).get('/projects');
    const docs = await as(t, undefined).get(`/projects/${project.id}/documents`);
    expect(list.status).toBe(leaks ? 200 : 401);
    expect(names(list.body).includes(project.name)).toBe(leaks);
    expect(docs.text.includes(doc.title)).toBe(leaks);
    expect((await as(t, undefined).get(`/projects/${project.id}`)).status).toBe(401);
    // identified requests are still scoped correctly
    expect(names((await as(t, tokens.globex).get('/projects')).body)).not.toContain(project.name);
  });

  it.each(pair('body-override'))("acme PATCH with body tenantId globex on %s lands in globex's project: %s", async (mode, lands) => {
    const t = targets[mode];
    const victim = await createProject(t, tokens.globex, canary('globex'));
    const pwned = canary('pwned');
    const reply = await as(t, tokens.acme).patch(`/projects/${victim.id}`, { name: pwned, meta: { tenantId: 'globex' } });
    expect(reply.status).toBe(lands ? 200 : 403);
    expect((await as(t, tokens.globex).get(`/projects/${victim.id}`)).body.name).toBe(lands ? pwned : victim.name);
    // reads are not overridden by a body
    expect((await as(t, tokens.acme).get(`/projects/${victim.id}`)).status).toBe(404);
  });

  it.each(pair('bola-write'))("globex DELETE of acme's project on %s → deleted: %s; reads stay scoped", async (mode, deleted) => {
    const t = targets[mode];
    const victim = await createProject(t, tokens.acme, canary('acme'));
    expect((await as(t, tokens.globex).get(`/projects/${victim.id}`)).status).toBe(404);
    expect((await as(t, tokens.globex).del(`/projects/${victim.id}`)).status).toBe(deleted ? 204 : 404);
    expect((await as(t, tokens.acme).get(`/projects/${victim.id}`)).status).toBe(deleted ? 404 : 200);
  });

  it.each(pair('header-override'))('X-Tenant-ID on %s also redirects writes: %s', async (mode, redirects) => {
    const t = targets[mode];
    const name = canary('via-header');
    const reply = await as(t, tokens.acme).post('/projects', { name }, { headers: { 'X-Tenant-ID': 'initech' } });
    expect(reply.status).toBe(redirects ? 201 : 403);
    expect(names((await as(t, tokens.initech).get('/projects')).body).includes(name)).toBe(redirects);
  });

  it.each(pair('callback-misrouted'))("on %s, initech's callback receives acme's job when initech registered last: %s", async (mode, misrouted) => {
    const t = targets[mode];
    const acmeReceiver = await startReceiver();
    const initechReceiver = await startReceiver();
    try {
      const acmeJob = (await as(t, tokens.acme).post('/generations', { prompt: 'secret acme prompt', callbackUrl: acmeReceiver.url })).body.id;
      await as(t, tokens.initech).post('/generations', { prompt: 'p', callbackUrl: initechReceiver.url });
      await waitFor('2 deliveries', async () => acmeReceiver.received.length + initechReceiver.received.length >= 2);
      const acmeDeliveryAtInitech = initechReceiver.received.find((r) => r.body.jobId === acmeJob);
      expect(Boolean(acmeDeliveryAtInitech) || acmeReceiver.received.some((r) => r.body.jobId !== acmeJob)).toBe(misrouted);
      if (acmeDeliveryAtInitech) expect(acmeDeliveryAtInitech.body.tenantId).toBe('acme');
    } finally {
      await acmeReceiver.close();
      await initechReceiver.close();
    }
  });
});
