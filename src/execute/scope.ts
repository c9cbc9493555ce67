/** Hosts a run may contact: exact names, or `*.example.com` for subdomains. */
export function hostAllowed(url: string | URL, allowHosts: readonly string[]): boolean {
  let host: string;
  try {
    host = (typeof url === 'string' ? new URL(url) : url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return allowHosts.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith('*.') ? host.endsWith(p.slice(1)) && host !== p.slice(2) : host === p;
  });
}
