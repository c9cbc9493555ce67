import type { Verdict } from '../../core/verdict.ts';
import { verdictRank } from '../../core/verdict.ts';

/** What grouping needs of a finding (a record, a report view or a console event). */
export interface GroupableFinding {
  suite: string;
  verdict: Verdict;
  operation: string;
  mutation: { id: string; title?: string; channel?: string };
}

/**
 * The root cause a finding belongs to: one suite's mutation through one channel (a sequence shape's mutation id
 * when there is no channel). Every operation it failed on is the same bug.
 */
export function rootCauseKey(f: Pick<GroupableFinding, 'suite' | 'mutation'>): string {
  return `${f.suite}\u0000${f.mutation.id}\u0000${f.mutation.channel ?? ''}`;
}

/** Findings grouped by root cause, each group's members in the given order; groups worst verdict first, then first seen. */
export function groupByRootCause<T extends GroupableFinding>(findings: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const f of findings) {
    const key = rootCauseKey(f);
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  const worst = (g: readonly T[]) => Math.max(...g.map((f) => verdictRank(f.verdict)));
  return [...groups.values()].map((g, i) => ({ g, i })).sort((a, b) => worst(b.g) - worst(a.g) || a.i - b.i).map(({ g }) => g);
}

/** How a channel reads in a sentence: `header:X-Tenant-ID` → "The X-Tenant-ID header". */
export function channelPhrase(channel: string): string {
  const [kind = '', ...rest] = channel.split(':');
  const name = rest.join(':');
  switch (kind) {
    case 'header':
      return `The ${name} header`;
    case 'query':
      return `The query parameter ${name}`;
    case 'body':
      return `The body field ${name}`;
    case 'path':
      return `The path segment {${name}}`;
    case 'cookie':
    case 'cookies':
      return `The cookie ${name}`;
    case 'host':
      return 'The host name';
    default:
      return `The ${channel} channel`;
  }
}

const WHAT_WENT_WRONG: Partial<Record<Verdict, string>> = {
  leak: "another tenant's data was served or changed",
  'fail-open': 'accepted instead of refused',
  'soft-fail': 'not refused (an empty answer instead of an error)',
  inconclusive: 'could not be judged',
};

/**
 * A title saying what went wrong, not what was required: "The X-Tenant-ID header overrides the token's tenant on
 * 4 operations", "Signed by an untrusted key: accepted instead of refused on 3 operations".
 */
export function rootCauseTitle(f: { verdict: Verdict; mutation: { id: string; title?: string; channel?: string } }, operations: number, unit = 'operation'): string {
  const on = `on ${operations} ${unit}${operations === 1 ? '' : 's'}`;
  if (f.mutation.channel) {
    const subject = channelPhrase(f.mutation.channel);
    if (f.verdict === 'leak') return `${subject} overrides the token's tenant ${on}`;
    if (f.verdict === 'fail-open') return `${subject} naming another tenant is accepted ${on}`;
    if (f.verdict === 'soft-fail') return `${subject} naming another tenant is not refused ${on}`;
  }
  const what = f.mutation.title || f.mutation.id;
  return `${what.charAt(0).toUpperCase()}${what.slice(1)}: ${WHAT_WENT_WRONG[f.verdict] ?? f.verdict} ${on}`;
}
