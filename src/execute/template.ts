/** Values a request template may name: `{{tenant}}`, `{{id}}`, `{{canary}}`, `{{marker}}`, `{{fixtures.<name>.id}}`, path variables. */
export type TemplateVars = Readonly<Record<string, string | undefined>>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

export function renderString(template: string, vars: TemplateVars, encode: (v: string) => string = (v) => v): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : encode(value);
  });
}

/** Renders every string inside a JSON template. */
export function renderValue(template: unknown, vars: TemplateVars): unknown {
  if (typeof template === 'string') return renderString(template, vars);
  if (Array.isArray(template)) return template.map((item) => renderValue(item, vars));
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderValue(v, vars)]));
  }
  return template;
}

/** Sets `value` at a dot path inside a JSON object, creating objects on the way. */
export function setAtPath(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const parts = path.split('.');
  let current = target;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (!next || typeof next !== 'object' || Array.isArray(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1]!] = value;
  return target;
}

export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
