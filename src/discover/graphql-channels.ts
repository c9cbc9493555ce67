const HEADERS = ['X-Tenant-ID', 'X-Tenant', 'X-Org-ID', 'X-Organization-ID', 'X-Account-ID', 'X-Workspace-ID'];
const QUERY = ['tenantId', 'tenant_id', 'tenant', 'orgId'];
const COOKIES = ['tenant', 'tenant_id', 'org'];

type Where = 'header' | 'query' | 'cookie';

/**
 * Finds the tenant channels a GraphQL endpoint reads, by asking it: a conventional header, query parameter or cookie
 * is kept when a harmless read (`probeQuery`, a root field without required arguments) as the first tenant is answered
 * with it naming that tenant and refused with it naming the second. One that is ignored either way is not a channel (probing it would only report "ignored").
 */
export async function discoverGraphqlChannels(endpoint: URL, token: string, tenants: readonly [string, string], probeQuery: string): Promise<{ headers: string[]; query: string[]; cookies: string[]; why: string }> {
  const accepted = async (where?: Where, name?: string, value?: string): Promise<boolean> => {
    const url = new URL(endpoint);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` };
    if (where === 'header') headers[name!] = value!;
    if (where === 'query') url.searchParams.set(name!, value!);
    if (where === 'cookie') headers['cookie'] = `${name}=${encodeURIComponent(value!)}`;
    try {
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: probeQuery }), signal: AbortSignal.timeout(10_000) });
      const body = (await response.json().catch(() => undefined)) as { errors?: unknown[]; data?: unknown } | undefined;
      return response.ok && !body?.errors?.length && body?.data !== undefined;
    } catch {
      return false;
    }
  };
  const found = { headers: [] as string[], query: [] as string[], cookies: [] as string[] };
  if (!(await accepted())) return { ...found, why: `channel discovery skipped: \`${probeQuery}\` was not answered with the first tenant's token` };
  const candidates: [Where, string, string[]][] = [...HEADERS.map((h) => ['header', h, found.headers] as [Where, string, string[]]), ...QUERY.map((q) => ['query', q, found.query] as [Where, string, string[]]), ...COOKIES.map((c) => ['cookie', c, found.cookies] as [Where, string, string[]])];
  for (const [where, name, into] of candidates) {
    if ((await accepted(where, name, tenants[0])) && !(await accepted(where, name, tenants[1]))) into.push(name);
  }
  const kept = [...found.headers.map((h) => `header ${h}`), ...found.query.map((q) => `query ${q}`), ...found.cookies.map((c) => `cookie ${c}`)];
  return {
    ...found,
    why: `asked the endpoint: ${kept.length > 0 ? `${kept.join(', ')} ${kept.length === 1 ? 'is' : 'are'} refused when naming the other tenant` : 'no conventional tenant header, query parameter or cookie is refused when naming the other tenant'} (one a service ignores, or honours, is not kept: add it by hand if it should be probed)`,
  };
}
