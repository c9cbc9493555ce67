import { TenancyAuditError } from './errors.ts';

/** A value that may name an environment variable (`env:NAME`, for keys and URLs given as flags): its value, else the value as given. */
export function resolveEnvSpec(flag: string, spec: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!spec.startsWith('env:')) return spec;
  const value = env[spec.slice(4)];
  if (!value) throw new TenancyAuditError('TA_USAGE', `${flag} ${spec}: the environment variable is not set`);
  return value;
}
