// One-off: regenerates the RS256 test-issuer key pair kept in ../fixtures (run with `npx tsx`).
// The committed fixture is the source of truth; regenerating invalidates tokens minted elsewhere.
import fs from 'node:fs/promises';
import { exportJWK, generateKeyPair } from 'jose';

const KID = 'reference-issuer-1';
const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
const common = { kid: KID, alg: 'RS256', use: 'sig' };
const dir = new URL('../fixtures/', import.meta.url);
await fs.writeFile(new URL('issuer.private.jwk.json', dir), JSON.stringify({ ...(await exportJWK(privateKey)), ...common }, null, 2) + '\n');
await fs.writeFile(new URL('issuer.public.jwk.json', dir), JSON.stringify({ ...(await exportJWK(publicKey)), ...common }, null, 2) + '\n');
console.log(`wrote issuer key pair (kid ${KID}) to ${dir.pathname}`);
