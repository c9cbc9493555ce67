/** Seeded by migrations/005_seed_tenants.sql, in this order. */
export const TENANTS = ['acme', 'globex', 'initech'] as const;

export type SeededTenant = (typeof TENANTS)[number];

/** The first tenant: what buggy fallbacks resolve to. The fail-closed code never uses it. */
export const DEFAULT_TENANT: SeededTenant = TENANTS[0];
