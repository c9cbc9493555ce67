import { describe, expect, it } from 'vitest';
import { callbackNamesJob, callbacksOf, type SubmittedJob } from './jobs.ts';
import type { ReceivedCallback } from './scenario.ts';

const delivery = (path: string, body: string): ReceivedCallback => ({ method: 'POST', path, headers: {}, body, receivedAt: new Date(0).toISOString() });

describe('callbackNamesJob', () => {
  it('matches a JSON value equal to the job id anywhere, never a longer id that contains it', () => {
    expect(callbackNamesJob('{"jobId":"12"}', '12')).toBe(true);
    expect(callbackNamesJob('{"data":{"ids":[12]}}', '12')).toBe(true);
    expect(callbackNamesJob('{"jobId":"123"}', '12')).toBe(false);
    expect(callbackNamesJob('job 12 done', '12')).toBe(true);
    expect(callbackNamesJob('job 123 done', '12')).toBe(false);
  });
});

describe('callbacksOf', () => {
  it("splits a job's callbacks into those at its own URL and those that name it elsewhere", () => {
    const own = [delivery('/callbacks/a', '{"jobId":"j1"}')];
    const job: SubmittedJob = { tenant: 'acme', marker: 'm', jobId: 'j1', submit: { status: 202, headers: {}, bodyText: '', json: undefined }, callback: { url: 'http://x/callbacks/a', deliveries: () => own, waitFor: async () => own } };
    const elsewhere = delivery('/callbacks/b', '{"jobId":"j1"}');
    const unrelated = delivery('/callbacks/b', '{"jobId":"j2"}');
    expect(callbacksOf(job, [own[0]!, elsewhere, unrelated])).toEqual({ own, elsewhere: [elsewhere] });
  });
});
