/** Stable error codes. A finding is a verdict, never an exception: these are for misuse and environment failures. */
export type TenancyAuditErrorCode =
  | 'TA_CONFIG_INVALID'
  | 'TA_CONFIG_NOT_FOUND'
  | 'TA_USAGE'
  | 'TA_SPEC_INVALID'
  | 'TA_HOST_NOT_ALLOWED'
  | 'TA_TARGET_UNREACHABLE'
  | 'TA_DB_UNAVAILABLE'
  | 'TA_IDENTITY'
  | 'TA_SUITE_INVALID'
  | 'TA_EVIDENCE_INVALID'
  | 'TA_SIGNATURE_INVALID'
  | 'TA_INTERRUPTED';

/**
 * Base class of every error tenancy-audit throws on purpose, for misuse or a failing environment (never for a
 * finding). Branch on `code`, and show `hint` to the user; the CLI maps the code to its exit code.
 */
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

/** One problem found in a configuration: where it is and what is wrong. */
export interface ConfigIssue {
  /** Exact path into the config, e.g. `tenants[1].token.env`. */
  path: string;
  message: string;
  expected?: string;
  received?: string;
}

/**
 * An invalid or unreadable configuration (code `TA_CONFIG_INVALID`); `issues` lists every problem found, by path,
 * and `file` names the file when there is one. The CLI exits with the usage code (2).
 */
export class ConfigError extends TenancyAuditError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string | undefined;

  constructor(issues: readonly ConfigIssue[], file?: string) {
    const where = file ? ` in ${file}` : '';
    const lines = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`);
    super('TA_CONFIG_INVALID', `Invalid configuration${where}:\n${lines.join('\n')}`, {
      hint: 'Fix the listed paths and run again; `tenancy-audit schema` prints the JSON Schema of the config (for editor autocompletion), and `tenancy-audit init` writes a commented config from an OpenAPI, GraphQL or HAR description.',
    });
    this.issues = issues;
    this.file = file;
  }
}

/**
 * The database could not be reached, created or started, or the connection was lost during the audit (code
 * `TA_DB_UNAVAILABLE`). `runDatabaseAudit` does not rethrow it: it closes the run as incomplete and returns.
 */
export class DatabaseUnavailableError extends TenancyAuditError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('TA_DB_UNAVAILABLE', message, options);
  }
}

export function isTenancyAuditError(value: unknown): value is TenancyAuditError {
  return value instanceof TenancyAuditError;
}
