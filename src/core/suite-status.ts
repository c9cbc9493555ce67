/** A suite's status (`not-applicable`: declared in the config's `scope`, with a reason), as the run summary and the reports state it (see `suiteStatus` in `src/judge/suite-status.ts`). */
export type SuiteStatus = 'pass' | 'warn' | 'fail' | 'inconclusive' | 'not-run' | 'not-applicable';
