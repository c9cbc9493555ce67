/** A path into the generated config: keys and list indexes. */
export type NotePath = readonly (string | number)[];

/**
 * A config being generated, with the reason for each inference decision attached to the path it explains; the YAML
 * writer turns the reasons into comments.
 */
export class Draft {
  readonly config: Record<string, unknown> = {};
  readonly notes: { path: NotePath; text: string }[] = [];
  readonly header: string[] = [];
  /** Operations of the description left out (each with its reason in a note). */
  skipped = 0;

  note(path: NotePath, text: string): void {
    this.notes.push({ path, text });
  }
}

export const TENANT_LIKE_DEFAULT = ['tenant', 'org', 'organization', 'organisation', 'account', 'workspace', 'team', 'company', 'customer'];

/** A name that could carry a tenant: `tenantId`, `X-Tenant-ID`, `org_id`, `workspace`… (the words are configurable). */
export function tenantLike(words: readonly string[]): (name: string) => boolean {
  const alternatives = words.map((w) => w.toLowerCase().replace(/[^a-z0-9]/g, '')).filter(Boolean);
  const pattern = new RegExp(`^(x)?(${alternatives.join('|')})(id|uuid|key|slug|name)?$`);
  return (name) => pattern.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** `listProjects`, `GET /projects` → `list-projects`: an operation id the config accepts. */
export function kebab(value: string): string {
  const out = value
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9._]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return /^[a-z0-9]/.test(out) ? out : `op-${out}`;
}

export function singular(word: string): string {
  if (/ies$/i.test(word)) return word.slice(0, -3) + 'y';
  if (/(ss|us)$/i.test(word)) return word;
  if (/(xes|ches|shes|sses)$/i.test(word)) return word.slice(0, -2);
  return word.replace(/s$/i, '');
}
