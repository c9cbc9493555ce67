/**
 * The JSON path shown on each line of `JSON.stringify(value, null, 2)`: the OpenAPI validator quotes errors as a
 * code frame of that text, and a person needs the path (`paths./a.post.parameters[0]`), not a line of a
 * re-serialised document they never wrote.
 */
export function pathsByLine(value: unknown): string[] {
  const lines: string[] = ['']; // line 1 is the root
  const walk = (node: unknown, at: string): void => {
    if (node === null || typeof node !== 'object') return;
    const entries = Array.isArray(node)
      ? node.map((v, i) => [`${at}[${i}]`, v] as const)
      : Object.entries(node as Record<string, unknown>)
          .filter(([, v]) => v !== undefined && typeof v !== 'function')
          .map(([k, v]) => [at === '' ? keyText(k) : `${at}.${keyText(k)}`, v] as const);
    if (entries.length === 0) return;
    for (const [childPath, child] of entries) {
      lines.push(childPath);
      walk(child, childPath);
    }
    lines.push(at); // the closing bracket
  };
  walk(value, '');
  return lines;
}

function keyText(key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
}

/** The path of the line a validator's code frame points at (`> 25 |`), or undefined. */
export function pathOfFrame(message: string, value: unknown): string | undefined {
  const line = /^>\s*(\d+)\s*\|/m.exec(message)?.[1];
  if (!line) return undefined;
  const path = pathsByLine(value)[Number(line) - 1];
  return path === undefined ? undefined : path || '(root)';
}
