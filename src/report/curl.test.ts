import { describe, expect, it } from 'vitest';
import { curlFor } from './curl.ts';

describe('curlFor', () => {
  it('turns redacted credentials into shell variables and quotes everything else', () => {
    const line = curlFor(
      { method: 'post', url: "https://x/a?b=1&c='", headers: { Authorization: 'Bearer [redacted-jwt alg=RS256 sha256:abc]', 'X-Api-Key': '[redacted]', 'X-Tenant-ID': "b'$(id)", Host: 'x' }, body: '{"a":1}' },
      'tenant-a',
    );
    expect(line).toBe(
      `curl -sS -i -X 'POST' 'https://x/a?b=1&c='\\''' -H "Authorization: Bearer $TOKEN_TENANT_A" -H "X-Api-Key: $X_API_KEY" -H 'X-Tenant-ID: b'\\''$(id)' --data-raw '{"a":1}'`,
    );
  });

  it('never puts an odd header name inside double quotes', () => {
    expect(curlFor({ method: 'GET', url: 'u', headers: { 'x-$(id)': '[redacted]' } }, null)).toContain(`-H 'x-$(id): [redacted]'`);
  });
});
