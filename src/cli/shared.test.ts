import { describe, expect, it } from 'vitest';
import { redactedArgv } from './shared.ts';

describe('redactedArgv', () => {
  it('hides credentials given in --tenant and the secret flags, keeps env:/file: references', () => {
    const line = redactedArgv(['run', '--tenant', 'acme=env:ACME_TOKEN', '--tenant', "globex=cmd:curl -u me:hunter2 https://idp", '--callback-secret', 'acme=s3cret', '--webhook-secret', '*=file:hook.key', '--sign-key', 'k.pem']);
    expect(line).toContain('acme=env:ACME_TOKEN');
    expect(line).toContain('globex=[redacted]');
    expect(line).toContain('acme=[redacted]');
    expect(line).toContain('*=file:hook.key');
    expect(line).not.toMatch(/hunter2|s3cret|k\.pem/);
  });
});
