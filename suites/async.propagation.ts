import fc from 'fast-check';
import {
  callbacksOf,
  defineSuite,
  pollJob,
  submitJob,
  worstOf,
  type CaseMeta,
  type Judgement,
  type ReceivedCallback,
  type ScenarioCell,
  type ScenarioWorld,
  type SubmittedJob,
} from 'tenancy-audit/suite';

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
  const withCallbacks: SubmittedJob[] = [];
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
      if (job.callback) withCallbacks.push(job);
    }),
  );
  const outcome = (callbacks: readonly { judgement: Judgement; actor: string }[]) => {
    const all = [...judged, ...callbacks];
    const worst = worstOf(all.map((j) => j.judgement));
    const culprit = all.find((j) => j.judgement === worst);
    const victim = worst.seen.find((t) => t !== culprit?.actor) ?? null;
    return { meta: meta(culprit?.actor ?? null, victim), judgement: worst };
  };
  if (withCallbacks.length === 0) return outcome([]);
  // Until every job called back (wherever it landed), or a callback already showed foreign data: the verdict is a leak then.
  const wait = await world.awaitCallbacks({
    until: (seen) => withCallbacks.every((job) => arrived(job, seen)) || worstOf(judgeCallbacks(world, withCallbacks, seen, 0).map((j) => j.judgement)).verdict === 'leak',
  });
  for (const job of withCallbacks) {
    for (const delivery of job.callback!.deliveries()) world.note(`callback for ${job.tenant}'s job received`, delivery.body.slice(0, 500));
  }
  return {
    ...outcome(judgeCallbacks(world, withCallbacks, wait.seen, wait.timeoutMs)),
    // Judged again at the end of the run: a foreign callback that came after this scenario stopped waiting is a leak too.
    rejudge: () => outcome(judgeCallbacks(world, withCallbacks, world.callbacksReceived(), wait.timeoutMs)),
  };
}

/** A job's callback arrived: at its own URL, or (naming the job) at another; the routing is callback.integrity's to judge. */
function arrived(job: SubmittedJob, seen: readonly ReceivedCallback[]): boolean {
  const { own, elsewhere } = callbacksOf(job, seen);
  return own.length > 0 || elsewhere.length > 0;
}

/** Every callback at a job's URL must show only its tenant's data; a job whose callback arrived nowhere is inconclusive. */
function judgeCallbacks(world: ScenarioWorld, jobs: readonly SubmittedJob[], seen: readonly ReceivedCallback[], waitedMs: number) {
  const judged: { judgement: Judgement; actor: string }[] = [];
  for (const job of jobs) {
    const { own, elsewhere } = callbacksOf(job, seen);
    if (own.length === 0 && elsewhere.length === 0) {
      judged.push({ actor: job.tenant, judgement: inconclusive('callback-timeout', `no callback for the job of ${job.tenant} within ${waitedMs} ms`) });
    }
    // What landed elsewhere is judged where it landed (as that URL's tenant); here, whose data the job's callback carried.
    for (const delivery of [...own, ...elsewhere.slice(0, own.length === 0 ? 1 : 0)]) {
      const response = { status: 200, headers: delivery.headers, bodyText: delivery.body, json: undefined };
      judged.push({ actor: job.tenant, judgement: world.judge({ expect: 'accept', family: 'cross-tenant', credential: 'legit', actor: job.tenant, response }) });
    }
  }
  return judged;
}

function inconclusive(reason: string, detail: string): Judgement {
  return { verdict: 'inconclusive', reason, detail, seen: [] };
}
