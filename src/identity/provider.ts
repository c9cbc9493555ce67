import { TenancyAuditError } from '../core/errors.ts';
import { createCommandProvider } from './command.ts';
import { createLoginProvider } from './login.ts';
import { createMintProvider } from './mint.ts';
import { createOAuth2Provider } from './oauth2.ts';
import { createStaticProvider } from './static.ts';
import type { TokenProvider, TokenProviderOptions, TokenSource } from './types.ts';

/** Legit token provider for a configured source (`mint`, `static`, `command`, `oauth2` or `login`). */
export function createTokenProvider(source: TokenSource, opts: TokenProviderOptions = {}): TokenProvider {
  switch (source.kind) {
    case 'mint':
      return createMintProvider(source, opts);
    case 'static':
      return createStaticProvider(source);
    case 'command':
      return createCommandProvider(source, opts);
    case 'oauth2':
      return createOAuth2Provider(source, opts);
    case 'login':
      return createLoginProvider(source, opts);
    default: {
      const kind = (source as { kind?: unknown }).kind;
      throw new TenancyAuditError('TA_IDENTITY', `unknown token source kind ${JSON.stringify(kind)}`, {
        hint: 'Use one of: mint, static, command, oauth2, login.',
      });
    }
  }
}
