/** Reads a dot path (`data.items[0].id`, `$` for the root) from parsed JSON; undefined when absent. */
export function readJsonPath(value: unknown, path: string): unknown {
  if (path === '$' || path === '') return value;
  let current: unknown = value;
  for (const part of path.replace(/^\$\.?/, '').split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) return undefined;
    const [, key, indexes] = match;
    if (key) current = isObject(current) ? current[key] : undefined;
    for (const index of indexes!.matchAll(/\[(\d+)\]/g)) {
      current = Array.isArray(current) ? current[Number(index[1])] : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

export function parseJsonSafe(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
