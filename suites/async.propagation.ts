import fc from 'fast-check';
import { defineSuite, pollJob, submitJob, worstOf, type CaseMeta, type Judgement, type ScenarioCell, type ScenarioWorld } from 'tenancy-audit/suite';

const id = 'async.propagation';

interface Scenario {
  /** Tenant index and a small delay before submitting, so submissions interleave differently each run. */
  jobs: { tenant: number; delayMs: number }[];
}

export default defineSuite({
  id,
  title: 'Tenant context survives queues and retries',
  description:
    'Jobs are submitted by several tenants at once, in random interleavings; each job is polled to completion and its callback awaited. Every result and callback must carry only the submitting tenant\'s data — also when the job was retried — and a job that never completes is inconclusive, never a pass.',
  families: ['cross-tenant'],
  paths: ['callback', 'retry'],
  severity: 'critical',
  controls: { soc2: ['CC6.1', 'CC6.7'], iso27001: ['8.3', '8.27', '8.28'] },
  remediation:
    "Persist the tenant with every job and re-establish it (continuation-local storage plus the per-transaction database setting) at the start of every attempt, including retries; never fall back to a process-wide 'current tenant' or a default tenant in workers.",
  target: 'http',
  cells: (space) => (space.config.async ? [propagationCell(space.tenants.length, space.config.async.jobsPerScenario)] : []),
});

function propagationCell(tenantCount: number, maxJobs: number): ScenarioCell<Scenario> {
  const job = fc.record({ tenant: fc.nat({ max: tenantCount - 1 }), delayMs: fc.nat({ max: 30 }) });
  const everyTenantInTurn = Array.from({ length: Math.min(maxJobs, tenantCount * 2) }, (_, i) => ({ tenant: i % tenantCount, delayMs: 0 }));
  return {
    kind: 'scenario',
    key: `${id}/jobs`,
    operation: 'async.submit',
    arbitrary: fc.record({ jobs: fc.array(job, { minLength: 1, maxLength: maxJobs }) }),
    examples: [{ jobs: [{ tenant: tenantCount - 1, delayMs: 0 }] }, { jobs: everyTenantInTurn }],
    control: (world) => runJobs(world, { jobs: [{ tenant: 0, delayMs: 0 }] }, 'positive-control'),
    run: (world, scenario) => runJobs(world, scenario),
  };
}

async function runJobs(world: ScenarioWorld, scenario: Scenario, mutation = 'concurrent-jobs') {
  const tenants = scenario.jobs.map((j) => world.tenants[j.tenant]!);
  const meta = (actor: string | null, victim: string | null): CaseMeta => ({
    suite: id,
    family: 'cross-tenant',
    path: 'callback',
    operation: 'async.submit',
    mutation: { id: mutation, title: `${tenants.length} job(s) submitted concurrently by ${tenants.join(', ')}` },
    actor,
    victim,
  });
  const submitted = await Promise.all(
    scenario.jobs.map(async (j, i) => {
      await world.sleep(j.delayMs);
      return submitJob(world, tenants[i]!, { withCallback: true });
    }),
  );
  const judged: { judgement: Judgement; actor: string }[] = [];
  const callbackTimeout = world.config.async!.callbacks?.timeoutMs ?? 10_000;
  await Promise.all(
    submitted.map(async (job) => {
      if (job.submit.status === undefined || job.submit.status >= 300 || !job.jobId) {
        judged.push({ actor: job.tenant, judgement: inconclusive('control-rejected', `the legit submission of ${job.tenant} got ${job.submit.status ?? job.submit.failure?.message}`) });
        return;
      }
      const polled = await pollJob(world, job);
      if (!polled.finished || !polled.response) {
        judged.push({ actor: job.tenant, judgement: inconclusive('poll-timeout', `the job of ${job.tenant} did not finish in time`) });
        return;
      }
      // The control's job must show its tenant's own data: a result that shows nobody's could not show a foreign tenant's either.
      const ownData = mutation === 'positive-control';
      judged.push({ actor: job.tenant, judgement: world.judge({ expect: 'accept', ownData, family: 'cross-tenant', credential: 'legit', actor: job.tenant, response: polled.response }) });
      if (!job.callback) return;
      const deliveries = await job.callback.waitFor(1, callbackTimeout);
      if (deliveries.length === 0) {
        judged.push({ actor: job.tenant, judgement: inconclusive('callback-timeout', `no callback for the job of ${job.tenant} within ${callbackTimeout} ms`) });
        return;
      }
      for (const delivery of deliveries) {
        world.note(`callback for ${job.tenant}'s job received`, delivery.body.slice(0, 500));
        judged.push({
          actor: job.tenant,
          judgement: world.judge({ expect: 'accept', family: 'cross-tenant', credential: 'legit', actor: job.tenant, response: { status: 200, headers: delivery.headers, bodyText: delivery.body, json: undefined } }),
        });
      }
    }),
  );
  const worst = worstOf(judged.map((j) => j.judgement));
  const culprit = judged.find((j) => j.judgement === worst);
  const victim = worst.seen.find((t) => t !== culprit?.actor) ?? null;
  return { meta: meta(culprit?.actor ?? null, victim), judgement: worst };
}

function inconclusive(reason: string, detail: string): Judgement {
  return { verdict: 'inconclusive', reason, detail, seen: [] };
}
