import { applicablePolicies, bypassReason, effectiveCheck, tableByName } from './analysis.ts';
import type { CatalogSnapshot, GrantableCommand } from './types.ts';

const BYPASS_TEXT = {
  superuser: 'the audited role is a superuser (row-level security never applies)',
  bypassrls: 'the audited role has BYPASSRLS',
  'owner-not-forced': 'the audited role owns the table and row-level security is not forced',
  'rls-disabled': 'row-level security is not enabled on the table',
  materialized: 'a materialized view stores every row',
} as const;

/**
 * What in the catalog lets rows of `table` through for `command` as the audited role, for a behaviour finding to
 * name: the bypass (RLS off, owner, superuser, BYPASSRLS), or the permissive policies that apply with their
 * expressions. Empty when the table is not known (views and functions are named by their own findings).
 */
export function whatLetsRowsThrough(snapshot: CatalogSnapshot, table: string, command: GrantableCommand): string {
  const facts = tableByName(snapshot, table);
  if (!facts) return '';
  const bypass = bypassReason(snapshot, snapshot.role.name, facts);
  if (bypass) return `on ${facts.qualified}: ${BYPASS_TEXT[bypass]}`;
  const { permissive, restrictive } = applicablePolicies(snapshot, facts, command);
  if (permissive.length === 0) return '';
  const clause = (p: (typeof permissive)[number]) => (command === 'INSERT' ? `WITH CHECK (${effectiveCheck(p) ?? '—'})` : command === 'SELECT' || command === 'DELETE' ? `USING (${p.using ?? '—'})` : `USING (${p.using ?? '—'}) WITH CHECK (${effectiveCheck(p) ?? '—'})`);
  const shown = permissive.map((p) => `"${p.name}" ${clause(p)}`.replace(/\s+/g, ' ')).join('; ');
  return `${command} on ${facts.qualified} is let through by permissive ${permissive.length === 1 ? 'policy' : 'policies'} ${shown}${restrictive.length > 0 ? ` (restrictive: ${restrictive.map((p) => `"${p.name}"`).join(', ')})` : ''}`;
}
