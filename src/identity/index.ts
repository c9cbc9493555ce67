/** Public surface of the identity stage: legit token providers, the forgery catalogue, JWKS and report helpers. */
export { createTokenProvider } from './provider.ts';
export { createCredentials, tokenProviderOptionsOf, tokenSourceOf, type Credentials } from './credentials.ts';
export { FORGERIES, forgeriesOf, unmetRequirements } from './forgeries.ts';
export { capabilitiesOf, GARBAGE_TOKEN } from './forge-kit.ts';
export { createAttackerKeys } from './attacker.ts';
export { publicKeysFromJwks } from './jwks.ts';
export { describeCredential } from './describe.ts';
export type { DescribeOptions } from './describe.ts';
export { jwtShape } from './jwt.ts';
export type { JwtShape } from './jwt.ts';
export { claimPath, getClaim, setClaim } from './claims.ts';
export type {
  AttackerKeys,
  Capability,
  CredentialSpec,
  ForgeContext,
  ForgedCredential,
  Forgery,
  ForgeryInfo,
  LoginSource,
  MintKey,
  OAuth2Client,
  OAuth2Source,
  TargetPublicKey,
  TokenProvider,
  TokenProviderOptions,
  TokenSource,
  TokenSourceStats,
} from './types.ts';
