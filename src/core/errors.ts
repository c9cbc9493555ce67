/** Stable error codes. A finding is a verdict, never an exception: these are for misuse and environment failures. */
export type TenancyAuditErrorCode =
  | 'TA_CONFIG_INVALID'
  | 'TA_CONFIG_NOT_FOUND'
  | 'TA_USAGE'
  | 'TA_HOST_NOT_ALLOWED'
  | 'TA_TARGET_UNREACHABLE'
  | 'TA_DB_UNAVAILABLE'
  | 'TA_IDENTITY'
  | 'TA_SUITE_INVALID'
  | 'TA_EVIDENCE_INVALID'
  | 'TA_SIGNATURE_INVALID'
  | 'TA_INTERRUPTED';

export class TenancyAuditError extends Error {
  readonly code: TenancyAuditErrorCode;
  /** What the user should do next. */
  readonly hint: string | undefined;

  constructor(code: TenancyAuditErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

export interface ConfigIssue {
  /** Exact path into the config, e.g. `tenants[1].token.env`. */
  path: string;
  message: string;
  expected?: string;
  received?: string;
}

export class ConfigError extends TenancyAuditError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string | undefined;

  constructor(issues: readonly ConfigIssue[], file?: string) {
    const where = file ? ` in ${file}` : '';
    const lines = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`);
    super('TA_CONFIG_INVALID', `Invalid configuration${where}:\n${lines.join('\n')}`, {
      hint: 'Fix the listed paths and run again; `tenancy-audit init` prints a commented example.',
    });
    this.issues = issues;
    this.file = file;
  }
}

export class DatabaseUnavailableError extends TenancyAuditError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('TA_DB_UNAVAILABLE', message, options);
  }
}

export function isTenancyAuditError(value: unknown): value is TenancyAuditError {
  return value instanceof TenancyAuditError;
}
