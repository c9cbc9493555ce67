/** A suite's status, as the run summary and the reports state it (see `suiteStatus` in `src/judge/suite-status.ts`). */
export type SuiteStatus = 'pass' | 'warn' | 'fail' | 'inconclusive' | 'not-run';
