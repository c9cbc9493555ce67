import fc from 'fast-check';
import {
  WEBHOOK_FORGERIES,
  callbackNamesJob,
  callbacksOf,
  defineSuite,
  forgeWebhook,
  hmacMatches,
  legitWebhook,
  pollJob,
  renderValue,
  submitJob,
  worstOf,
  type CaseMeta,
  type Judgement,
  type ReceivedCallback,
  type ScenarioCell,
  type ScenarioWorld,
  type SubmittedJob,
  type WebhookForgery,
} from 'tenancy-audit/suite';

const id = 'callback.integrity';

type Meta = (mutation: string, title: string, family: CaseMeta['family'], actor: string | null, victim: string | null) => CaseMeta;

interface Scenario {
  jobs: number[];
  forgeries: WebhookForgery[];
}

export default defineSuite({
  id,
  title: 'Callbacks reach only their own tenant; forged webhooks change nothing',
  description:
    "Jobs from several tenants register their own callback URLs: each outbound callback must arrive only at the URL its submitter gave, carry only that tenant's data and a valid signature under that tenant's secret. Inbound webhooks with a bad or missing signature, a tenant field naming another tenant, or an unknown job must be rejected — and the job, read back as its owner, must be unchanged.",
  families: ['cross-tenant', 'spoofed', 'mismatched'],
  paths: ['callback'],
  severity: 'critical',
  controls: { soc2: ['CC6.6', 'CC6.7', 'CC6.1'], iso27001: ['5.14', '8.5', '8.24', '8.3'] },
  remediation:
    "Deliver each callback to the URL stored with its own job and sign it with that job's tenant secret; authenticate inbound webhooks by signature first, then derive the tenant from the stored job (never from the payload) and reject any payload that names another tenant.",
  target: 'http',
  // Without a callback receiver no job calls back, and the webhooks are aimed at a job that completed: nothing to judge.
  cells: (space) => (space.config.async?.callbacks ? [integrityCell(space.tenants.length)] : []),
});

function integrityCell(tenantCount: number): ScenarioCell<Scenario> {
  const all = [...WEBHOOK_FORGERIES];
  return {
    kind: 'scenario',
    key: `${id}/jobs`,
    operation: 'async.callback',
    arbitrary: fc.record({
      jobs: fc.array(fc.nat({ max: tenantCount - 1 }), { minLength: 1, maxLength: 3 }),
      forgeries: fc.subarray(all),
    }),
    examples: [{ jobs: Array.from({ length: tenantCount }, (_, i) => i), forgeries: all }],
    control: (world) => runScenario(world, { jobs: [0], forgeries: [] }, 'positive-control'),
    run: (world, scenario) => runScenario(world, scenario),
  };
}

async function runScenario(world: ScenarioWorld, scenario: Scenario, control?: 'positive-control') {
  const tenants = scenario.jobs.map((t) => world.tenants[t]!);
  const meta = (mutation: string, title: string, family: CaseMeta['family'], actor: string | null, victim: string | null): CaseMeta => ({
    suite: id,
    family,
    path: 'callback',
    operation: 'async.callback',
    mutation: { id: mutation, title },
    actor,
    victim,
  });
  const judged: { judgement: Judgement; meta: CaseMeta }[] = [];
  const jobs = await Promise.all(tenants.map((tenant) => submitJob(world, tenant, { withCallback: true })));
  for (const job of jobs) {
    if (job.submit.status === undefined || job.submit.status >= 300 || !job.jobId) {
      judged.push({ meta: meta('callback-routing', 'outbound callback routing', 'cross-tenant', job.tenant, null), judgement: inconclusive('control-rejected', `the legit submission of ${job.tenant} got ${job.submit.status ?? job.submit.failure?.message}`) });
    }
  }
  const live = jobs.filter((j) => j.jobId && j.callback);
  await Promise.all(live.map((job) => pollJob(world, job)));
  const deliveries = (seen: readonly ReceivedCallback[], waitedMs: number) => live.flatMap((job) => judgeDeliveries(world, job, jobs, seen, waitedMs, meta));
  // Until every job called back (wherever it landed), or a misrouted or foreign callback was seen: the verdict is a leak then.
  const wait = await world.awaitCallbacks({
    until: (seen) => live.every((job) => callbacksOf(job, seen).own.length + callbacksOf(job, seen).elsewhere.length > 0) || worstOf(deliveries(seen, 0).map((j) => j.judgement)).verdict === 'leak',
  });
  for (const job of live) for (const d of job.callback!.deliveries()) world.note(`callback received at ${job.tenant}'s URL`, d.body.slice(0, 500));
  const completed = live.find((j) => j.callback!.deliveries().length > 0) ?? live[0];
  const webhooks: typeof judged = [];
  if (completed && scenario.forgeries.length > 0) {
    for (const hook of world.config.webhooks) {
      if (hook.signature.secret === undefined) {
        webhooks.push({ meta: meta('webhook-not-configured', `inbound webhook ${hook.id}`, 'spoofed', null, completed.tenant), judgement: inconclusive('not-configured', `webhooks.${hook.id}: the signing secret is not configured, so forged webhooks were not tested`) });
        continue;
      }
      // The legit, correctly signed webhook first: only if it is accepted and its effect shows can a rejected forgery pass.
      const control = await sendLegitWebhook(world, hook, completed, meta);
      if (control) webhooks.push(control);
      for (const forgery of scenario.forgeries) {
        const forged = await sendForgedWebhook(world, hook, forgery, completed, meta);
        webhooks.push(control && forged.judgement.verdict === 'pass' ? { ...forged, judgement: inconclusive('webhook-control-failed', `${forged.judgement.detail}, but the legit webhook was not accepted either: ${control.judgement.detail}`) } : forged);
      }
    }
  }
  const outcome = (seen: readonly ReceivedCallback[]) => {
    const all = [...judged, ...deliveries(seen, wait.timeoutMs), ...webhooks];
    const worst = worstOf(all.map((j) => j.judgement));
    const culprit = all.find((j) => j.judgement === worst);
    if (control) return { meta: meta(control, 'a legit job calls back to its own URL, signed for its tenant', 'cross-tenant', tenants[0] ?? null, null), judgement: worst };
    return { meta: culprit?.meta ?? meta('callbacks', `${jobs.length} job(s) with callbacks and ${scenario.forgeries.length} forged webhook(s)`, 'cross-tenant', null, null), judgement: worst };
  };
  // Judged again at the end of the run: a misrouted callback that came after this scenario stopped waiting is a leak too.
  return { ...outcome(wait.seen), rejudge: () => outcome(world.callbacksReceived()) };
}

/** The callbacks at a job's URL (pure: called again as callbacks arrive, and at the end of the run). */
function judgeDeliveries(world: ScenarioWorld, job: SubmittedJob, all: readonly SubmittedJob[], seen: readonly ReceivedCallback[], waitedMs: number, meta: Meta) {
  const out: { judgement: Judgement; meta: CaseMeta }[] = [];
  const { own: deliveries, elsewhere } = callbacksOf(job, seen);
  const routing = meta('callback-routing', `outbound callback for ${job.tenant}'s job`, 'cross-tenant', job.tenant, null);
  // A callback that landed at another job's URL of this scenario is judged there; one that landed at no URL of it is misrouted too.
  const stray = elsewhere.filter((d) => !all.some((j) => j.callback?.deliveries().includes(d)));
  if (deliveries.length === 0 && elsewhere.length === 0) out.push({ meta: routing, judgement: inconclusive('callback-timeout', `no callback arrived at the URL ${job.tenant} registered within ${waitedMs} ms`) });
  if (stray.length > 0) {
    out.push({
      meta: meta('callback-misrouted', 'a callback arrived at a URL its job did not register', 'cross-tenant', job.tenant, null),
      judgement: { verdict: 'soft-fail', reason: 'callback-misrouted-elsewhere', detail: `the callback of ${job.tenant}'s job was delivered to ${stray[0]!.path}, a URL no job of this scenario registered`, seen: [] },
    });
  }
  const signature = world.config.async!.callbacks?.signature;
  for (const delivery of deliveries) {
    const foreignJob = all.find((other) => other !== job && other.jobId && callbackNamesJob(delivery.body, other.jobId));
    if (foreignJob && !callbackNamesJob(delivery.body, job.jobId!)) {
      const victim = foreignJob.tenant === job.tenant ? null : foreignJob.tenant;
      out.push({
        meta: meta('callback-misrouted', "a callback arrived at another job's URL", 'cross-tenant', job.tenant, victim),
        judgement: victim
          ? { verdict: 'leak', reason: 'callback-misrouted', detail: `the callback of ${foreignJob.tenant}'s job was delivered to the URL ${job.tenant} registered`, seen: [foreignJob.tenant] }
          : { verdict: 'soft-fail', reason: 'callback-misrouted-same-tenant', detail: `a callback of another ${job.tenant} job arrived at this job's URL`, seen: [] },
      });
      continue;
    }
    out.push({ meta: routing, judgement: world.judge({ expect: 'accept', family: 'cross-tenant', credential: 'legit', actor: job.tenant, response: { status: 200, headers: delivery.headers, bodyText: delivery.body, json: undefined } }) });
    if (!signature) continue;
    const secrets = signature.secrets;
    if (!secrets) {
      // Signed callbacks, secrets not filled in: the signature is not checked, and the suite must not pass for it.
      out.push({ meta: meta('callback-signature', `callback signature for ${job.tenant}`, 'spoofed', job.tenant, null), judgement: inconclusive('not-configured', `callbacks carry ${signature.header}, but async.callbacks.signature.secrets is not configured: signatures were not checked`) });
      continue;
    }
    const received = delivery.headers[signature.header.toLowerCase()];
    if (hmacMatches(signature, secrets[job.tenant]!, delivery.body, received)) continue;
    const signer = Object.keys(secrets).find((t) => hmacMatches(signature, secrets[t]!, delivery.body, received));
    out.push({
      meta: meta('callback-signature', `callback signature for ${job.tenant}`, 'spoofed', job.tenant, signer ?? null),
      judgement: signer
        ? { verdict: 'leak', reason: 'callback-signed-by-other-tenant', detail: `the callback for ${job.tenant} was signed with ${signer}'s secret`, seen: [signer] }
        : { verdict: 'soft-fail', reason: 'callback-signature-invalid', detail: `the callback for ${job.tenant} carried ${received ? 'an invalid' : 'no'} ${signature.header}`, seen: [] },
    });
  }
  return out;
}

/** Sends the legit signed webhook about `job`; undefined when it was accepted and its effect is visible to the job's owner. */
async function sendLegitWebhook(world: ScenarioWorld, hook: ScenarioWorld['config']['webhooks'][number], job: SubmittedJob, meta: Meta) {
  const marker = world.marker();
  const legit = legitWebhook(hook, { jobId: job.jobId!, owner: job.tenant, marker }, renderValue);
  const response = await world.send({ title: `legit webhook ${hook.id} (positive control of the forged ones)`, template: hook, credential: { kind: 'none' }, tenant: job.tenant, headers: legit.headers, rawBody: legit.body });
  const accepted = response.status !== undefined && response.status >= 200 && response.status < 300;
  const after = accepted ? await pollJob(world, job) : undefined;
  if (accepted && after?.response?.bodyText.includes(marker)) return undefined;
  const why = !accepted
    ? `the correctly signed webhook ${hook.id} got ${response.status ?? response.failure?.message} (check its path, body and secret; a \`file:\` secret with \`raw: true\` keeps its trailing newline)`
    : `the correctly signed webhook ${hook.id} was accepted (HTTP ${response.status}) but its effect did not show on the job read back as ${job.tenant}`;
  return { meta: meta('webhook-legit', `legit webhook ${hook.id}`, 'spoofed', null, job.tenant), judgement: inconclusive('webhook-control-failed', why) };
}

async function sendForgedWebhook(
  world: ScenarioWorld,
  hook: ScenarioWorld['config']['webhooks'][number],
  forgery: WebhookForgery,
  job: SubmittedJob,
  meta: Meta,
) {
  const other = world.tenants.find((t) => t !== job.tenant)!;
  const marker = world.marker();
  const forged = forgeWebhook(hook, forgery, { jobId: job.jobId!, owner: job.tenant, other, marker }, renderValue);
  const response = await world.send({ title: `forged webhook ${hook.id}: ${forgery}`, template: hook, credential: { kind: 'none' }, tenant: job.tenant, headers: forged.headers, rawBody: forged.body });
  const after = await pollJob(world, job);
  const changed = after.response?.bodyText.includes(marker) ? [job.tenant] : [];
  const claimsOther = forgery === 'tenant-mismatch';
  const family: CaseMeta['family'] = claimsOther ? 'mismatched' : forgery === 'unknown-job' ? 'cross-tenant' : 'spoofed';
  const actor = claimsOther ? other : null;
  const judgement = world.judge({ family, credential: claimsOther || forgery === 'unknown-job' ? 'legit' : 'invalid', actor, response, sideEffects: { landedIn: [], foreignChanged: changed } });
  return { meta: meta(`webhook-${forgery}`, `inbound webhook ${hook.id} with ${forgery}`, family, actor, job.tenant), judgement };
}

function inconclusive(reason: string, detail: string): Judgement {
  return { verdict: 'inconclusive', reason, detail, seen: [] };
}
