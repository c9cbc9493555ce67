import { deleteClaim, setClaim } from './claims.ts';
import { basePayload, bearer, GARBAGE_TOKEN, requireMint } from './forge-kit.ts';
import type { ForgeContext, Forgery } from './types.ts';

const FAIL_CLOSED = 'A fail-closed service answers 401 and never falls back to a default, global or guessed tenant.';

function literal(id: string, title: string, construction: string, authorization: string | null): Forgery {
  return {
    id,
    title,
    family: 'missing',
    description: `${construction} ${FAIL_CLOSED}`,
    requires: [],
    claims: 'none',
    build: async () => ({ authorization }),
  };
}

/** Validly signed (trusted key) copy of the legit claims with only the tenant claim altered. */
function signedClaim(id: string, title: string, construction: string, alter: (ctx: ForgeContext, payload: Record<string, unknown>) => Record<string, unknown>): Forgery {
  return {
    id,
    title,
    family: 'missing',
    description: `${construction} ${FAIL_CLOSED}`,
    requires: ['mint'],
    claims: 'none',
    async build(ctx) {
      const mint = requireMint(ctx, id);
      return bearer(await mint(alter(ctx, basePayload(ctx, undefined))));
    },
  };
}

const withValue = (value: (ctx: ForgeContext) => unknown) => (ctx: ForgeContext, p: Record<string, unknown>) => setClaim(p, ctx.tenantClaim, value(ctx));

export const MISSING_FORGERIES: readonly Forgery[] = [
  literal('no-credential', 'No credential', 'The Authorization header is omitted entirely.', null),
  literal('empty-bearer', 'Empty bearer token', 'Authorization is `Bearer ` with nothing after the scheme.', 'Bearer '),
  literal('garbage-bearer', 'Garbage bearer token', `Authorization is \`Bearer ${GARBAGE_TOKEN}\`, a value that is no token at all.`, `Bearer ${GARBAGE_TOKEN}`),
  literal('null-token', 'Literal "null" token', 'Authorization is `Bearer null`, what a client sends when its token variable is unset.', 'Bearer null'),
  literal(
    'non-bearer-scheme',
    'Non-bearer scheme',
    'Authorization uses the Basic scheme with made-up credentials (`tenancy-audit:invalid`) instead of a bearer token.',
    `Basic ${Buffer.from('tenancy-audit:invalid').toString('base64')}`,
  ),
  signedClaim('claimless', 'Valid signature, no tenant claim', "The legit token's claims re-signed with the trusted key, tenant claim removed.", (ctx, p) =>
    deleteClaim(p, ctx.tenantClaim),
  ),
  signedClaim('claim-empty', 'Tenant claim empty string', 'The legit claims re-signed with the trusted key, tenant claim set to "".', withValue(() => '')),
  signedClaim('claim-whitespace', 'Tenant claim whitespace', 'The legit claims re-signed with the trusted key, tenant claim set to "  ".', withValue(() => '  ')),
  signedClaim('claim-null', 'Tenant claim null', 'The legit claims re-signed with the trusted key, tenant claim set to JSON null.', withValue(() => null)),
  signedClaim('claim-number', 'Tenant claim number', 'The legit claims re-signed with the trusted key, tenant claim set to the number 0.', withValue(() => 0)),
  signedClaim('claim-boolean', 'Tenant claim boolean', 'The legit claims re-signed with the trusted key, tenant claim set to true.', withValue(() => true)),
  signedClaim('claim-array', 'Tenant claim array', 'The legit claims re-signed with the trusted key, tenant claim set to [actor, other].', withValue((ctx) => [ctx.actor, ctx.other])),
  signedClaim('claim-object', 'Tenant claim object', 'The legit claims re-signed with the trusted key, tenant claim set to {"id": actor}.', withValue((ctx) => ({ id: ctx.actor }))),
];
