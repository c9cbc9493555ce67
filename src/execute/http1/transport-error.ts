import type { TransportFailureKind } from '../../core/exchange.ts';

/** Why an exchange ended without a usable response; `kind` is what the judge reads, `message` what people read. */
export class TransportError extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** The target's bytes are not an HTTP/1.1 response we can frame unambiguously. */
export const malformed = (what: string) => new TransportError('error', `invalid HTTP response: ${what}`);
