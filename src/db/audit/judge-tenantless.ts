import type { Judgement } from './judge.ts';
import type { TenantlessObservation } from './observations.ts';
import { isEnvironmentError } from './session.ts';

/**
 * A row whose tenant column is NULL or a wildcard-looking value, written by tenant A, must not be visible to tenant B:
 * the write refused → pass; accepted and B sees it → leak; accepted and hidden from B (whose own rows are visible) → pass.
 */
export function judgeTenantless(obs: TenantlessObservation): Judgement {
  const shown = obs.value === null ? 'NULL' : `'${obs.value}'`;
  const act = obs.mode === 'insert' ? `inserting a row with ${shown} as its tenant` : `setting the tenant of its own row to ${shown}`;
  const where = `${obs.table} as tenant ${obs.actor}`;
  if (!obs.granted) return { verdict: 'pass', reason: 'not-granted', detail: `${where}: ${act} is refused — the role lacks the privilege` };
  if (obs.setupError !== undefined) return { verdict: 'inconclusive', reason: 'no-probe-row', detail: `${where}: ${act} could not be probed: ${obs.setupError}` };
  const write = obs.write;
  if (!write) return { verdict: 'inconclusive', reason: 'not-run', detail: `${where}: ${act} was not attempted` };
  if (!write.ok) {
    if (isEnvironmentError(write.error.code)) return { verdict: 'inconclusive', reason: 'environment-error', detail: `${where}: ${act} failed for an environmental reason (ERROR ${write.error.code}: ${write.error.message})` };
    const code = write.error.code;
    // Refusals that say the row cannot exist: the policy (42501), a NOT NULL, CHECK or foreign key on the value, or a
    // value the column's type cannot hold. A unique violation comes after the policy admitted the row.
    if (code === '42501' || code === '23502' || code === '23503' || code === '23514' || code.startsWith('22')) {
      return { verdict: 'pass', reason: 'refused', detail: `${where}: ${act} is refused (ERROR ${code}: ${write.error.message})` };
    }
    if (code === '23505') return { verdict: 'fail-open', reason: 'tenantless-row-admitted', detail: `${where}: ${act} passed the policy — only a unique key stopped it (ERROR ${code}: ${write.error.message})` };
    return { verdict: 'inconclusive', reason: 'write-failed', detail: `${where}: ${act} failed for a reason that does not show the policy refused it (ERROR ${code}: ${write.error.message})` };
  }
  if (write.rowCount === 0 && obs.mode === 'update' && obs.addressed === 1) return { verdict: 'pass', reason: 'no-row-changed', detail: `${where}: ${act} changed 0 rows — the update of its own row is refused (no policy lets it through), so no row without a tenant was made` };
  if (write.rowCount === 0) return { verdict: 'inconclusive', reason: 'nothing-written', detail: `${where}: ${act} changed 0 rows, so there was nothing for tenant ${obs.witness} to see` };
  if (obs.readError) return { verdict: 'inconclusive', reason: 'read-error', detail: `${where}: ${act} was accepted, then reading as tenant ${obs.witness} failed (ERROR ${obs.readError.code}: ${obs.readError.message})` };
  if (obs.seen === true) {
    return { verdict: 'leak', reason: 'tenantless-row-visible', detail: `${where}: ${act} was accepted and tenant ${obs.witness} then sees that row — a row without a tenant is shared with every tenant (rolled back)` };
  }
  if (!obs.witnessOwnRows) {
    return { verdict: 'inconclusive', reason: 'witness-control-failed', detail: `${where}: ${act} was accepted; tenant ${obs.witness} does not see it, but reads none of its own rows either, so the read proves nothing` };
  }
  return { verdict: 'pass', reason: 'tenantless-row-hidden', detail: `${where}: ${act} was accepted, but tenant ${obs.witness} (who reads ${obs.witnessOwnRows} own row(s)) does not see it` };
}
