import type { MutationInfo, Severity } from '../../core/types.ts';
import type { Verdict } from '../../core/verdict.ts';

/**
 * One rule of a data-layer suite, declared beside the code that applies it (a catalog check, or a suite's own
 * list): the id is the evidence record's `mutation.id`. Passing objects are recorded with verdict `pass`; a rule
 * that could not be evaluated records `inconclusive`.
 */
export interface DbRule {
  id: string;
  title: string;
  /** Verdict a failure of this rule carries (a behaviour rule may also yield a milder one; see `description`). */
  failVerdict: Exclude<Verdict, 'pass' | 'inconclusive'> | 'control';
  severity: Severity;
  description: string;
}

/** A rule as the manifest's methodology lists it. */
export function ruleMutation(rule: DbRule): MutationInfo {
  return {
    id: rule.id,
    title: rule.title,
    family: 'data-layer',
    description: `[${rule.severity}; failure → ${rule.failVerdict}] ${rule.description}`,
  };
}
