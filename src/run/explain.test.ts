import { describe, expect, it } from 'vitest';
import { TenancyAuditError } from '../core/errors.ts';
import { explain } from './explain.ts';

describe('explain', () => {
  it('explains a forgery: what is sent, what must hold, and the accept/waiver snippets', async () => {
    const e = await explain('wrong-issuer');
    expect(e.kind).toBe('mutation');
    expect(e.sent).toMatch(/iss set to/);
    expect(e.mustHold).toMatch(/rejected/);
    expect(e.accept[0]).toContain('- { mutation: wrong-issuer, reason:');
    expect(e.accept[1]).toContain('expires: YYYY-MM-DD');
  });
  it('explains the mutations of the cell builders (channels, foreign objects)', async () => {
    expect((await explain('body-other-tenant')).sent).toMatch(/body channel asserting tenant B/);
    expect((await explain('header-literal-*')).sent).toMatch(/literal "\*"/);
    expect((await explain('foreign-object-read')).mustHold).toMatch(/404/);
  });
  it('explains a suite with scope snippets for its paths', async () => {
    const e = await explain('retry.idempotency');
    expect(e.kind).toBe('suite');
    expect(e.accept.join('\n')).toContain('- { path: retry, reason:');
  });
  it('names the closest id for a typo', async () => {
    const error = await explain('wrong-isuer').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TenancyAuditError);
    expect((error as TenancyAuditError).hint).toContain('"wrong-issuer"');
  });
});
