import type { AuditEventHandler } from '../core/events.ts';
import type { UnsignedEvidenceRecord } from '../core/types.ts';
import type { FailLevel } from '../core/verdict.ts';
import { auditDatabase, type DbAuditOptions, type DbAuditOutcome } from '../db/audit/index.ts';
import { redactUrl } from '../db/provision.ts';
import { selectDbSuites } from '../db/audit/suites.ts';
import { isFailing } from '../judge/suite-status.ts';
import type { OpenRunFolder } from './run-folder.ts';

/** What the data-layer phase of a run leaves: the audit's outcome (absent when it failed), the failure, and the suite verdict count. */
export interface DatabasePhase {
  outcome?: DbAuditOutcome;
  failure?: unknown;
  inconclusiveSuites: number;
  /** What was audited, redacted (`postgres://role:***@host/db` or `migrations:<dir>`). */
  target: string;
}

/**
 * The data-layer audit written into an open run folder: each record appended and counted in the folder's tally,
 * failing ones announced as findings, then one `suite-end` per db suite. Shared by `runDatabaseAudit` (a run of
 * kind `db`) and `run` with a `database:` section (the db phase after the HTTP phases, in the same folder).
 */
export async function auditDatabaseInto(
  folder: OpenRunFolder,
  audit: Omit<DbAuditOptions, 'onRecord'> & { seed: number },
  failOn: FailLevel,
  emit: AuditEventHandler,
  replay: string,
): Promise<DatabasePhase> {
  const target = audit.databaseUrl ? redactUrl(audit.databaseUrl) : `migrations:${audit.migrationsDir}`;
  let outcome: DbAuditOutcome | undefined;
  let failure: unknown;
  const remediation = new Map<string, string>();
  try {
    // Loaded here once, so the console can print each suite's remediation beside its findings.
    const suites = audit.suites ?? (await selectDbSuites({ ...(audit.suiteDirs ? { suiteDirs: audit.suiteDirs } : {}), ...(audit.only ? { only: audit.only } : {}) }));
    for (const s of suites) remediation.set(s.id, s.remediation);
    outcome = await auditDatabase({
      ...audit,
      suites,
      log: (line) => emit({ type: 'log', line }),
      onRecord: (record) => write(folder, record, failOn, emit, replay, remediation),
    });
  } catch (error) {
    failure = error;
  }
  let inconclusiveSuites = 0;
  for (const suite of outcome?.suites ?? []) {
    const { verdict, reason } = folder.tally.verdictOf(suite.id, failOn, true);
    if (verdict === 'inconclusive') inconclusiveSuites++;
    emit({ type: 'suite-end', suite: suite.id, paths: suite.paths, counts: folder.tally.of(suite.id).verdicts, verdict, reason });
  }
  return { ...(outcome ? { outcome } : {}), ...(failure !== undefined ? { failure } : {}), inconclusiveSuites, target };
}

/** Writes, counts and announces one record; failing records are findings the console shows as they come. */
async function write(folder: OpenRunFolder, record: UnsignedEvidenceRecord, failOn: FailLevel, emit: AuditEventHandler, replay: string, remediation: ReadonlyMap<string, string>): Promise<void> {
  const written = await folder.writer.append(record);
  folder.tally.count(record.suite, record.kind, record.verdict);
  if (record.kind === 'control' || !isFailing(record.verdict, failOn)) return;
  emit({
    type: 'finding',
    suite: record.suite,
    path: 'db',
    operation: record.operation ?? '',
    verdict: record.verdict,
    reason: record.reason,
    mutation: record.mutation.id,
    detail: written.detail,
    steps: written.steps ?? [],
    shrinks: 0,
    replay: `${replay} --suite ${record.suite} --seed ${record.seed}`,
    mutationTitle: record.mutation.title,
    ...(remediation.get(record.suite) ? { remediation: remediation.get(record.suite) } : {}),
  });
}
