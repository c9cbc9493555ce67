// fail-closed async paths: jobs run in their own tenant (also on retry), callbacks go to their own URL
// signed with their own tenant's secret, and provider webhooks are bound to the stored job's tenant.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackSecretFor, DEFAULT_PROVIDER_SECRET, hmacSignature, TENANTS, type RunningTarget } from '../src/index.ts';
import { as, call, canary, createProject, startReceiver, startTarget, stopAll, tokensFor, waitFor, waitForJobsDone, type Receiver, type Tenant } from './support.ts';

let target: RunningTarget;
let retrying: RunningTarget;
let tokens: Record<Tenant, string>;
const canaries = {} as Record<Tenant, string>;
const receivers: Receiver[] = [];

beforeAll(async () => {
  target = await startTarget('fail-closed');
  retrying = await startTarget('fail-closed', { failFirstAttempt: true });
  tokens = await tokensFor(target); // the issuer is shared, so the tokens work on both targets
  for (const t of TENANTS) {
    canaries[t] = canary(t);
    await createProject(target, tokens[t], canaries[t]);
    await createProject(retrying, tokens[t], canaries[t]);
  }
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await stopAll();
});

function foreignCanaries(tenant: Tenant): string[] {
  return TENANTS.filter((t) => t !== tenant).map((t) => canaries[t]);
}

async function submitAll(on: RunningTarget, body: (t: Tenant) => Record<string, unknown>): Promise<Record<Tenant, string>> {
  const ids = await Promise.all(TENANTS.map(async (t) => {
    const reply = await as(on, tokens[t]).post('/generations', body(t));
    expect(reply).toMatchObject({ status: 202, body: { status: 'queued', tenantId: t } });
    return [t, reply.body.id as string] as const;
  }));
  return Object.fromEntries(ids) as Record<Tenant, string>;
}

describe('generation jobs', () => {
  it('jobs submitted concurrently by all tenants carry only their own tenant data', async () => {
    const ids = await submitAll(target, (t) => ({ prompt: `prompt of ${t}` }));
    await waitForJobsDone(target, Object.values(ids));
    for (const t of TENANTS) {
      const job = (await as(target, tokens[t]).get(`/generations/${ids[t]}`)).body;
      expect(job).toMatchObject({ id: ids[t], tenantId: t, status: 'succeeded', attempts: 1 });
      expect(job.output).toContain(`prompt of ${t}`);
      expect(job.output).toContain(canaries[t]);
      for (const foreign of foreignCanaries(t)) expect(job.output).not.toContain(foreign);
    }
  });

  it('a retried job (failFirstAttempt) runs its second attempt in its own tenant too', async () => {
    const ids = await submitAll(retrying, (t) => ({ prompt: `retry of ${t}` }));
    await waitForJobsDone(retrying, Object.values(ids));
    for (const t of TENANTS) {
      const job = (await as(retrying, tokens[t]).get(`/generations/${ids[t]}`)).body;
      expect(job).toMatchObject({ status: 'succeeded', attempts: 2, lastError: null, tenantId: t });
      expect(job.output).toContain(canaries[t]);
      for (const foreign of foreignCanaries(t)) expect(job.output).not.toContain(foreign);
    }
  });

  it('rejects callback URLs that are not http(s)', async () => {
    for (const callbackUrl of ['ftp://127.0.0.1/x', 'not a url', 'http://user:pw@127.0.0.1/x', 'javascript:alert(1)', 42]) {
      const reply = await as(target, tokens.acme).post('/generations', { prompt: 'p', callbackUrl });
      expect(reply.status, String(callbackUrl)).toBe(400);
    }
  });
});

describe('outbound callbacks', () => {
  it('each job calls back its own URL, signed with its own tenant secret', async () => {
    const own = {} as Record<Tenant, Receiver>;
    for (const t of TENANTS) receivers.push((own[t] = await startReceiver()));
    const ids = await submitAll(target, (t) => ({ prompt: `callback of ${t}`, callbackUrl: own[t].url }));
    await waitFor('one callback per receiver', async () => TENANTS.every((t) => own[t].received.length >= 1), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 150)); // room for any stray extra delivery
    for (const t of TENANTS) {
      expect(own[t].received).toHaveLength(1);
      const [delivery] = own[t].received;
      expect(delivery!.body).toMatchObject({ jobId: ids[t], tenantId: t, status: 'succeeded' });
      expect(delivery!.body.output).toContain(canaries[t]);
      for (const foreign of foreignCanaries(t)) expect(delivery!.raw).not.toContain(foreign);
      expect(delivery!.headers['x-reference-tenant']).toBe(t);
      expect(delivery!.headers['x-reference-signature']).toBe(hmacSignature(delivery!.raw, callbackSecretFor(t)));
      for (const other of TENANTS.filter((o) => o !== t)) {
        expect(delivery!.headers['x-reference-signature']).not.toBe(hmacSignature(delivery!.raw, callbackSecretFor(other)));
      }
    }
    // deliveries are recorded in each tenant's scope
    const db = new pg.Client({ connectionString: target.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT job_id, tenant_id, url, status_code, attempt FROM callback_deliveries WHERE job_id = ANY($1::uuid[])', [Object.values(ids)]);
      expect(rows).toHaveLength(3);
      for (const t of TENANTS) expect(rows.find((r) => r.job_id === ids[t])).toMatchObject({ tenant_id: t, url: own[t].url, status_code: 204, attempt: 1 });
    } finally {
      await db.end();
    }
  });

  it('retries a failing receiver, up to 3 attempts', async () => {
    const flaky = await startReceiver();
    receivers.push(flaky);
    flaky.respond = (_r, index) => (index === 0 ? 503 : 200);
    const job = (await as(target, tokens.globex).post('/generations', { prompt: 'flaky', callbackUrl: flaky.url })).body;
    await waitFor('two deliveries', async () => flaky.received.length >= 2);
    expect(flaky.received.map((r) => r.headers['x-reference-delivery-attempt'])).toEqual(['1', '2']);
    expect(flaky.received.every((r) => r.body.jobId === job.id && r.body.tenantId === 'globex')).toBe(true);

    const dead = await startReceiver();
    receivers.push(dead);
    dead.respond = () => 500;
    await as(target, tokens.globex).post('/generations', { prompt: 'dead', callbackUrl: dead.url });
    await waitFor('three deliveries', async () => dead.received.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(dead.received).toHaveLength(3);
  });
});

describe('inbound provider webhook', () => {
  async function finishedJob(tenant: Tenant): Promise<string> {
    const id = (await as(target, tokens[tenant]).post('/generations', { prompt: canary('webhook') })).body.id as string;
    await waitForJobsDone(target, [id]);
    return id;
  }

  function webhook(payload: Record<string, unknown>, signature?: string | null) {
    const raw = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== null) headers['X-Provider-Signature'] = signature ?? hmacSignature(raw, DEFAULT_PROVIDER_SECRET);
    return call(target, 'POST', '/webhooks/provider', { raw, headers });
  }

  const outputOf = async (tenant: Tenant, id: string) => (await as(target, tokens[tenant]).get(`/generations/${id}`)).body.output as string;

  it('401 without a signature, with a bad one, or with another secret; nothing changes', async () => {
    const id = await finishedJob('acme');
    const before = await outputOf('acme', id);
    const payload = { jobId: id, status: 'completed', output: 'forged' };
    expect((await webhook(payload, null)).status).toBe(401);
    expect((await webhook(payload, 'sha256=' + '0'.repeat(64))).status).toBe(401);
    expect((await webhook(payload, hmacSignature(JSON.stringify(payload), 'wrong-secret'))).status).toBe(401);
    expect((await webhook(payload, hmacSignature(JSON.stringify({ ...payload, output: 'other' }), DEFAULT_PROVIDER_SECRET))).status).toBe(401);
    expect(await outputOf('acme', id)).toBe(before);
  });

  it('404 for an unknown job', async () => {
    expect((await webhook({ jobId: crypto.randomUUID(), status: 'completed', output: 'x' })).status).toBe(404);
    expect((await webhook({ jobId: 'not-a-uuid', status: 'completed', output: 'x' })).status).toBe(404);
  });

  it('403 when the payload names a tenant other than the job owner; nothing changes', async () => {
    const id = await finishedJob('acme');
    const before = await outputOf('acme', id);
    const reply = await webhook({ jobId: id, status: 'completed', output: 'injected', tenantId: 'globex' });
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('TENANT_MISMATCH');
    expect(await outputOf('acme', id)).toBe(before);
  });

  it('200 and the job output set when signed and bound to the job owner', async () => {
    const id = await finishedJob('initech');
    const marker = canary('provider-output');
    expect(await webhook({ jobId: id, status: 'completed', output: marker, tenantId: 'initech' })).toMatchObject({ status: 200, body: { ok: true, tenantId: 'initech' } });
    expect(await outputOf('initech', id)).toBe(marker);
    const second = canary('provider-output');
    expect((await webhook({ jobId: id, status: 'completed', output: second })).status).toBe(200);
    expect(await outputOf('initech', id)).toBe(second);
  });

  it('400 for a malformed payload', async () => {
    const id = await finishedJob('acme');
    expect((await webhook({ jobId: id, status: 'weird', output: 'x' })).status).toBe(400);
    expect((await webhook({ jobId: id, status: 'completed', output: 'x', tenantId: 7 })).status).toBe(400);
  });
});
