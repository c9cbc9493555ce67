import type { ResponseView } from './types.ts';

/** Tenants whose canaries appear anywhere in the body or headers. */
export function tenantsSeen(response: ResponseView, canaries: Readonly<Record<string, readonly string[]>>): string[] {
  const haystack = `${JSON.stringify(response.headers)}\n${response.bodyText}`;
  return Object.entries(canaries)
    .filter(([, values]) => values.some((canary) => canary.length > 0 && haystack.includes(canary)))
    .map(([tenant]) => tenant);
}
