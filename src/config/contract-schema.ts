import { z } from 'zod';
import { PATHS } from '../core/types.ts';
import { FAIL_LEVELS } from '../core/verdict.ts';

/** The target's declared contract in the config: `scope`, `accept` and `waivers` (see README "The target's contract"). */
const reason = z.string().min(1).describe('Why: shown in the report beside the declaration.');
const suiteSelector = z.string().min(1).describe('A suite id or its prefix (`identity`).');

export const scopeSchema = z
  .strictObject({
    paths: z
      .array(z.strictObject({ path: z.enum(PATHS), reason }))
      .default([])
      .describe('Paths this service does not have (e.g. `callback`, `retry`): suites testing only these are not applicable.'),
    suites: z.array(z.strictObject({ id: suiteSelector, reason })).default([]).describe('Suites that do not apply to this service.'),
  })
  .describe('What does not exist in this service: such suites show as not applicable (declared), and controls are judged on the others.');

export const acceptSchema = z
  .strictObject({
    suite: suiteSelector.optional(),
    mutation: z.string().min(1).optional().describe('A mutation id (`wrong-issuer`, `claim-whitespace`); also matches ids ending in `-<id>` (`replay-key-claim-whitespace`).'),
    channel: z.string().min(1).optional().describe('A channel kind (`body`) or `kind:carrier` (`body:tenantId`).'),
    operation: z.string().min(1).optional(),
    reason,
  })
  .refine((r) => r.suite ?? r.mutation ?? r.channel ?? r.operation, 'name at least one of suite, mutation, channel, operation: a rule without one would accept everything')
  .describe('A deviation the service\'s contract allows: matching cells still run and are recorded, never counted as pass (a leak is never accepted).');

export const waiverSchema = z
  .strictObject({
    suite: suiteSelector.optional(),
    operation: z.string().min(1).optional(),
    mutation: z.string().min(1).optional(),
    verdict: z.enum(FAIL_LEVELS).optional(),
    reason,
    owner: z.string().min(1).describe('Who answers for this exception.'),
    expires: z
      .string()
      .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), 'expected a date YYYY-MM-DD')
      .describe('Last day (UTC) the waiver applies; after it the finding counts again.'),
  })
  .refine((w) => w.suite ?? w.operation ?? w.mutation ?? w.verdict, 'name at least one of suite, operation, mutation, verdict: a waiver without one would waive every finding')
  .describe('A known finding excepted until a date: kept in the evidence and the report (Exceptions), out of the exit code.');

const channelSelector = z.string().regex(/^(header|query|body|path|cookie|host)(:.+)?$/, 'a channel kind (header, query, body, path, cookie, host), optionally `kind:carrier`');

/** What an operation declares about its contract (spread into the operation schema). */
export const operationContract = {
  public: z.boolean().optional().describe('Answers without identity by design: requests without or with a forged identity are judged only for foreign canaries.'),
  shared: z.boolean().optional().describe('Legitimately readable by every tenant: cross-tenant reads are not leaks (writes still are).'),
  channels: z
    .array(channelSelector)
    .optional()
    .describe('The tenant-assertion channels this operation has (`body`, `body:tenantId`); default: every configured channel. `[]`: none.'),
};

/** `channels.appliesTo`: channel → the operation kinds it exists on. */
export const channelAppliesTo = z
  .record(channelSelector, z.array(z.enum(['list', 'read', 'create', 'update', 'delete'])).min(1))
  .optional()
  .describe('Channel (`body`, `body:tenantId`) → the operation kinds it exists on, e.g. `{ "body:tenantId": [create, update] }`; other kinds are not probed through it.');
