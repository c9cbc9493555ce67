import type { PolitenessSummary, RunManifest } from '../../core/types.ts';
import { VERDICTS } from '../../core/verdict.ts';
import type { Redactor } from '../../evidence/redact.ts';
import type { ReportModel } from '../model-types.ts';
import { VERDICT_STYLE } from '../verdict-counts.ts';
import { configView } from './run.ts';

const ORACLES = [
  'Canaries: at setup every test tenant gets fixtures holding unique random canary strings. Any response, side effect or callback seen by tenant X that contains a canary of tenant Y ≠ X is a leak, whatever the status code.',
  'Positive controls first: each suite proves its oracle is live (the legitimate request for tenant A succeeds and shows A\'s canary) before it judges mutations. If the control fails, the suite is inconclusive, never pass.',
  'Rejection is recognised by status (configurable, default 400/401/403/404/422) and by configurable body matchers (e.g. a GraphQL 200 with an errors array).',
  'Generation is property-based (fast-check): seeded and reproducible; failures are shrunk to a minimal counterexample, recorded with its seed and replay path.',
];

/** The data-layer audit's oracles (a `db` run judges SQL, not HTTP). */
const DB_ORACLES = [
  'Positive controls first: as tenant A the audited role reads A\'s own rows; a table whose control fails makes its proofs inconclusive, never pass. Rows a database shows none of are synthesised for two tenants inside each rolled-back probe transaction.',
  'Every probe is a transaction as the audited role that ends in ROLLBACK (reads READ ONLY): nothing is committed to the audited database.',
  'A row belongs to the tenant in its tenant column (or, through views and functions, to the tenant whose canary or unique value it carries); a write is judged against a control that makes the same write legitimately.',
  'Generation is property-based (fast-check): tenant values and probe order are seeded and reproducible; each record keeps its seed and replay path.',
];

/** What each verdict means in a `db` run. */
const DB_MEANING: Record<(typeof VERDICTS)[number], string> = {
  pass: 'Refused (an error, or 0 rows for a row that is not the tenant\'s), or the catalog is fail-closed.',
  'closed-by-error': 'Not used by the data-layer audit.',
  'soft-fail': 'Missing tenant context becomes a silent empty result instead of an error (or the setting is read with missing_ok).',
  'fail-open': 'Rows are served without tenant context or regardless of tenant, or the catalog lets them be (RLS off, owner not forced, bypassing role, view or function, NULL-tenant predicate).',
  leak: 'Another tenant\'s rows were visible, or another tenant\'s rows were written, changed or deleted (rolled back).',
  inconclusive: 'An SQL error that says nothing about tenancy, a failed positive control, or nothing to compare: nothing was proven either way. Never a pass.',
};

/** How the run judged: seed, mutations, the verdict vocabulary, the oracles, the (redacted) config and the suites. */
export function methodologyView(manifest: Partial<RunManifest> | null, redact: Redactor, configChars: number): ReportModel['methodology'] {
  return {
    seed: manifest?.seed ?? null,
    runs: manifest?.runs ?? null,
    mutations: manifest?.mutations ?? [],
    verdicts: VERDICTS.map((v) => ({ verdict: v, ...VERDICT_STYLE[v], ...(manifest?.kind === 'db' ? { meaning: DB_MEANING[v] } : {}) })),
    oracles: manifest?.kind === 'db' ? DB_ORACLES : ORACLES,
    ...configView(manifest?.config, redact, configChars),
    suites: manifest?.suites ?? [],
    rateControl: politenessLine(manifest?.politeness),
  };
}

/**
 * One sentence on how the run treated a target that asked it to slow down (429/503): back-offs, the lowest rate,
 * the time waited for Retry-After, the requests sent once more. Empty when the manifest does not say (db runs).
 */
export function politenessLine(p: PolitenessSummary | undefined): string {
  if (!p) return '';
  if (p.refused === 0) return `Rate control: the target never answered 429 or 503, so the run never backed off (rate ${p.minRate} req/s at most).`;
  const times = (n: number) => `${n} ${n === 1 ? 'time' : 'times'}`;
  return (
    `Rate control: the target answered 429/503 ${times(p.refused)}; the run backed off ${times(p.backoffs)} (lowest rate ${p.minRate} req/s), ` +
    `waited ${(p.waitedMs / 1000).toFixed(1)} s in all for Retry-After, and sent ${p.retried} refused idempotent ${p.retried === 1 ? 'request' : 'requests'} once more.`
  );
}
