import { z } from 'zod';

/**
 * The tenant context of a data-layer audit, as the `db` config file and the run config's `database:` section both
 * spell it: the settings set per transaction and the role the platform switches to.
 */
export const dbContextFields = {
  tenantSetting: z.string().min(1).optional().describe('The setting the application sets per transaction to the bare tenant, e.g. `app.tenant_id` (the short form of `context`).'),
  context: z.record(z.string().min(1), z.string()).optional().describe('Settings set per transaction, name → template with {tenant} and {principal}.'),
  role: z.string().min(1).optional().describe('Role the platform switches to (SET LOCAL ROLE), e.g. authenticated.'),
  preset: z.enum(['supabase', 'postgrest']).optional().describe('Fills in context and role for a platform.'),
  principalSetting: z.string().min(1).optional().describe('Setting that holds the user id (tenants reached through memberships).'),
  memberships: z
    .strictObject({ table: z.string().min(1), principalColumn: z.string().min(1), tenantColumn: z.string().min(1) })
    .optional()
    .describe('Membership table mapping principals to tenants (default: read from the policies).'),
};
