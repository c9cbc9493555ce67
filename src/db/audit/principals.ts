import { TenancyAuditError } from '../../core/errors.ts';
import { findMembership, principalFor, resolveMembership, type MembershipMapping, type MembershipOptions } from './membership.ts';
import type { ResolvedContext } from './tenant-context.ts';
import type { CatalogSnapshot } from './types.ts';

/** Principals synthesised for tenants reached through memberships: the mapping, and the principal acting for each tenant. */
export interface Principals {
  mapping: MembershipMapping;
  principalOf: (tenant: string) => string;
}

/**
 * When the context names a principal (`{principal}` in a template), finds the membership mapping (given, or read out
 * of the policies) and takes the membership table out of the tenant tables (it maps users to tenants; its rows are
 * not tenant data). Null when no template names a principal; `TA_USAGE` when the context holds only a principal and
 * no membership mapping can be found.
 */
export function resolvePrincipals(snapshot: CatalogSnapshot, context: ResolvedContext, options: MembershipOptions | undefined): Principals | null {
  if (!context.settings.some((s) => s.template.includes('{principal}'))) return null;
  const mapping = options ? resolveMembership(snapshot, options) : findMembership(snapshot);
  if (options && !mapping) {
    throw new TenancyAuditError('TA_USAGE', `memberships: no table ${options.table} with columns ${options.principalColumn} and ${options.tenantColumn} in ${snapshot.database}`, {
      hint: 'Name the membership table (schema.table) and its principal and tenant columns as they are in the database.',
    });
  }
  if (!mapping) {
    if (!context.principalKeyed) return null;
    throw new TenancyAuditError('TA_USAGE', `the tenant context holds a principal (${context.tenantSetting}) but no policy shows how principals reach tenants`, {
      hint: 'Give the membership table: --memberships schema.table:principal_column:tenant_column (e.g. public.memberships:user_id:org_id).',
    });
  }
  const table = snapshot.tables.find((t) => t.qualified === mapping.table);
  if (table) table.tenant = false;
  snapshot.membership = mapping;
  const type = table?.columns.find((c) => c.name === mapping.principalColumn)?.baseType ?? 'text';
  return { mapping, principalOf: (tenant) => principalFor(tenant, type) };
}
