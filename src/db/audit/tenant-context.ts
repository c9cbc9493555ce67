import { TenancyAuditError } from '../../core/errors.ts';
import type { MembershipOptions } from './membership.ts';

/** Platforms whose tenant context the audit knows how to set: JSON claims in `request.jwt.claims` and a `SET ROLE`. */
export type DbContextPreset = 'supabase' | 'postgrest';

/**
 * How the application gives the database its tenant context, as plain options (CLI flags and config map onto them):
 * settings set per transaction from templates, and the role the platform switches to. `{tenant}` and `{principal}`
 * in a template are replaced by the tenant value and the principal (user) acting for it.
 *
 * @example
 * { context: { 'app.tenant_id': '{tenant}' } }
 * { context: { 'request.jwt.claims': '{"tenant_id":"{tenant}","role":"authenticated","sub":"{principal}"}' }, role: 'authenticated' }
 * { preset: 'supabase' }
 */
export interface DbContextOptions {
  /** The short form: one setting that holds the bare tenant value (`app.tenant_id`), i.e. `context: { [tenantSetting]: '{tenant}' }`. */
  tenantSetting?: string;
  /** Settings set with `set_config(name, value, true)` in every probe transaction, name → template. */
  context?: Readonly<Record<string, string>>;
  /** `SET LOCAL ROLE` to this role in every transaction (the role the platform switches to, e.g. `authenticated`); it is the audited role. */
  role?: string;
  /** Fills in `context` and `role` for a platform (explicit `context`/`role` win). */
  preset?: DbContextPreset;
  /** The short form for a setting that holds the principal (user id), i.e. `context: { [name]: '{principal}' }`: tenants are reached through memberships. */
  principalSetting?: string;
  /**
   * The membership table that maps principals to tenants, when the policies read a principal (default: read out of
   * the policy expressions, e.g. `org_id IN (SELECT org_id FROM memberships WHERE user_id = current_setting('app.user_id')::uuid)`).
   */
  memberships?: MembershipOptions;
}

/** One setting of the tenant context and its template. */
export interface ContextSetting {
  name: string;
  template: string;
}

/** The tenant context an audit sets, resolved from {@link DbContextOptions}. */
export interface ResolvedContext {
  settings: ContextSetting[];
  /** The setting whose template holds `{tenant}` (the first one): what policies are expected to read. */
  tenantSetting: string;
  role: string | undefined;
  /** No template holds `{tenant}`: the context names a principal, and tenants are reached through memberships. */
  principalKeyed: boolean;
  /**
   * What a request without tenant context must get: `error` (the setting is read without missing_ok), or `empty`
   * for platforms that always set the claims and read them with missing_ok (PostgREST/Supabase: a request without
   * claims sees nothing; a predicate that admits NULL tenants is still caught).
   */
  missingContext: 'error' | 'empty';
}

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)+$/;

const CLAIMS = '{"sub":"{principal}","role":"authenticated","aud":"authenticated","tenant_id":"{tenant}","app_metadata":{"tenant_id":"{tenant}"}}';

/** What each preset fills in. */
export const CONTEXT_PRESETS: Record<DbContextPreset, { context: Record<string, string>; role: string }> = {
  supabase: { context: { 'request.jwt.claims': CLAIMS, 'request.jwt.claim.sub': '{principal}', 'request.jwt.claim.role': 'authenticated' }, role: 'authenticated' },
  postgrest: { context: { 'request.jwt.claims': CLAIMS.replace(',"aud":"authenticated"', '') }, role: 'authenticated' },
};

function usage(message: string, hint: string): TenancyAuditError {
  return new TenancyAuditError('TA_USAGE', message, { hint });
}

/** Parses `name=template` (the `--context` flag); the template may itself contain `=`. */
export function parseContextEntry(entry: string): [string, string] {
  const i = entry.indexOf('=');
  if (i <= 0) throw usage(`--context must be name=template (got ${JSON.stringify(entry)})`, "e.g. --context 'app.tenant_id={tenant}' or --context 'request.jwt.claims={\"tenant_id\":\"{tenant}\"}'");
  return [entry.slice(0, i).trim(), entry.slice(i + 1)];
}

/** Resolves the options to the settings and role the probes use; `TA_USAGE` for a context that names no tenant. */
export function resolveContext(options: DbContextOptions): ResolvedContext {
  const preset = options.preset === undefined ? undefined : CONTEXT_PRESETS[options.preset];
  if (options.preset !== undefined && preset === undefined) {
    throw usage(`unknown --preset ${JSON.stringify(options.preset)}`, `Use one of: ${Object.keys(CONTEXT_PRESETS).join(', ')}.`);
  }
  const context: Record<string, string> = { ...(options.context ?? preset?.context ?? {}) };
  if (options.tenantSetting) {
    if (!SETTING_NAME.test(options.tenantSetting)) {
      throw usage(`--tenant-setting must be a custom setting name like app.tenant_id (got ${JSON.stringify(options.tenantSetting)})`, 'A JSON claim is set with --context name=template (e.g. request.jwt.claims), or --preset supabase.');
    }
    if (!Object.hasOwn(context, options.tenantSetting)) context[options.tenantSetting] = '{tenant}';
  }
  if (options.principalSetting) {
    if (!SETTING_NAME.test(options.principalSetting)) throw usage(`--principal-setting must be a custom setting name like app.user_id (got ${JSON.stringify(options.principalSetting)})`, 'The setting the application sets to the user id per transaction.');
    if (!Object.hasOwn(context, options.principalSetting)) context[options.principalSetting] = '{principal}';
  }
  const settings = Object.entries(context).map(([name, template]) => ({ name, template }));
  for (const s of settings) {
    if (!SETTING_NAME.test(s.name)) throw usage(`--context setting must be a custom setting name like app.tenant_id (got ${JSON.stringify(s.name)})`, 'Settings the application sets per transaction have a dot in their name: app.tenant_id, request.jwt.claims.');
  }
  const primary =
    (options.tenantSetting && settings.find((s) => s.name === options.tenantSetting)) || settings.find((s) => s.template.includes('{tenant}')) || settings.find((s) => s.template.includes('{principal}'));
  if (!primary) {
    throw usage('no tenant context: give --tenant-setting, --principal-setting, a --context whose template contains {tenant} or {principal}, or --preset', "e.g. --tenant-setting app.tenant_id, or --context 'app.tenant_id={tenant}', or --preset supabase");
  }
  const role = options.role ?? preset?.role;
  if (role !== undefined && role.trim() === '') throw usage('--role must not be empty', 'Give the role the platform switches to, e.g. --role authenticated.');
  const principalKeyed = !settings.some((s) => s.template.includes('{tenant}'));
  return { settings, tenantSetting: primary.name, role, principalKeyed, missingContext: preset !== undefined ? 'empty' : 'error' };
}

/** The value of each setting for `tenant` acting through `principal`; `null` tenant means the empty context ('' everywhere). */
export function renderContext(settings: readonly ContextSetting[], tenant: string | null, principal: string | null): [string, string][] {
  return settings.map((s) => [s.name, tenant === null ? '' : s.template.replaceAll('{tenant}', tenant).replaceAll('{principal}', principal ?? tenant)]);
}
