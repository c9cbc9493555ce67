import { closest } from '../config/issues.ts';
import { TenancyAuditError } from '../core/errors.ts';
import { FORGERIES } from '../identity/index.ts';
import { listSuites } from './list-suites.ts';

/** What `tenancy-audit explain <id>` prints: what is sent, what must hold, and how to declare a different contract. */
export interface Explanation {
  kind: 'suite' | 'mutation';
  id: string;
  title: string;
  sent: string;
  mustHold: string;
  /** Config snippets (YAML) that declare the service's contract when it differs. */
  accept: string[];
}

const MUST_HOLD: Record<string, string> = {
  missing: 'The request is rejected (a status in rejection.statuses, or a rejection.bodyMatchers body). Served data, or any canary, is fail-open; an empty 2xx is soft-fail; a 3xx is a rejection only where rejection.redirects matches its Location.',
  spoofed: 'The forged token is rejected like a missing one. A forged token that reaches another tenant\'s data is a leak; one accepted with the actor\'s own data is fail-open.',
  mismatched: 'Only the token\'s tenant counts: a request asserting another tenant is rejected. Obeying the assertion is a leak; ignoring it silently (2xx) is soft-fail.',
  'cross-tenant': 'Another tenant\'s object behaves like a missing one (404, or 403): never shown, changed or deleted; a write never lands in another tenant (read back as each tenant).',
};

/** Mutations built by the cell builders and scenario suites (not the token catalogue): pattern → what is sent. */
const PATTERNS: { pattern: RegExp; family: string; sent: (m: RegExpExecArray) => string }[] = [
  { pattern: /^(header|query|body|path|cookie|host)-(other-tenant(-upper)?|literal-(.+))$/, family: 'mismatched', sent: (m) => `A legit token of tenant A, with the ${m[1]} channel asserting ${m[2]!.startsWith('literal') ? `the literal "${m[4]}"` : `tenant B${m[3] ? ' in upper case' : ''}`}.` },
  { pattern: /^foreign-object-(list|read|create|update|delete)$/, family: 'cross-tenant', sent: (m) => `A legit token of tenant A aimed at tenant B's object (${m[1]} by id).` },
  { pattern: /^webhook-(bad-signature|missing-signature|tenant-mismatch|unknown-job)$/, family: 'spoofed', sent: (m) => `An inbound webhook with ${m[1]!.replace(/-/g, ' ')}, after the legit correctly signed webhook (its positive control) was accepted and its effect shown.` },
  { pattern: /^replay-key-(.+)$/, family: 'spoofed', sent: (m) => `A tenant's idempotency key replayed with the forged credential "${m[1]}" (or by another tenant).` },
];

const snippet = (lines: string[]) => lines.join('\n');

/**
 * Explains a suite id or a mutation id (a forgery of the token catalogue, or a mutation of the built-in suites):
 * what is sent, what must hold, and how to accept it if the service's contract differs. An unknown id is a usage error.
 */
export async function explain(id: string, options: { dirs?: readonly string[] } = {}): Promise<Explanation> {
  const suites = await listSuites(options.dirs ?? []);
  const suite = suites.find((s) => s.suite.id === id)?.suite;
  if (suite) {
    return {
      kind: 'suite',
      id,
      title: suite.title,
      sent: suite.description,
      mustHold: `${suite.families.map((f) => MUST_HOLD[f]).filter(Boolean).join(' ') || 'See the description.'} Every verdict rests on a live positive control; anything that cannot be judged is inconclusive, never pass.`,
      accept: [
        snippet(['# this service has none of what the suite tests:', 'scope:', '  suites:', `    - { id: ${id}, reason: "<why it does not apply>" }`]),
        ...(suite.paths.length > 0 ? [snippet(['# or: the paths it tests do not exist here', 'scope:', '  paths:', ...suite.paths.map((p) => `    - { path: ${p}, reason: "<why>" }`)])] : []),
        snippet(['# a deviation of this suite the contract allows (recorded, never counted as pass):', 'accept:', `  - { suite: ${id}, mutation: <mutation id>, reason: "<why>" }`]),
      ],
    };
  }
  const forgery = FORGERIES.find((f) => f.id === id);
  const pattern = PATTERNS.map((p) => ({ p, m: p.pattern.exec(id) })).find((x) => x.m);
  if (forgery || pattern) {
    const family = forgery?.family ?? pattern!.p.family;
    return {
      kind: 'mutation',
      id,
      title: forgery?.title ?? id,
      sent: forgery ? `${forgery.description}` : pattern!.p.sent(pattern!.m!),
      mustHold: MUST_HOLD[family] ?? '',
      accept: [
        snippet(['# the service\'s contract allows it (cells still run and are recorded, never counted as pass; a leak is never accepted):', 'accept:', `  - { mutation: ${id}, reason: "<why the contract allows it>" }`]),
        snippet(['# or a known finding, excepted until a date (kept in the report under Exceptions):', 'waivers:', `  - { mutation: ${id}, reason: "<why>", owner: "<who>", expires: YYYY-MM-DD }`]),
      ],
    };
  }
  const known = [...suites.map((s) => s.suite.id), ...FORGERIES.map((f) => f.id)];
  const guess = closest(id, known);
  throw new TenancyAuditError('TA_USAGE', `"${id}" is neither a suite id nor a mutation id`, {
    hint: `${guess ? `Did you mean "${guess}"? ` : ''}\`tenancy-audit suites\` lists the suites; mutation ids are in the evidence (mutation.id) and the report's methodology.`,
  });
}
