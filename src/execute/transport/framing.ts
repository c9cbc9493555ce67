const CONTENT_LENGTH = /^\d{1,15}$/;

/**
 * Why a response head cannot be framed one way only, or `undefined`. undici's parser (llhttp) already refuses
 * most of these; this check makes the refusal independent of parser leniency: Content-Length beside
 * Transfer-Encoding, chunked applied twice, a Content-Length that is not a plain number, and Content-Lengths that disagree (two equal
 * values are one length).
 */
export function ambiguousFraming(raw: readonly (Buffer | string)[]): string | undefined {
  let lengths: string[] | undefined;
  let transferEncoding = false;
  let chunked = 0;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    if (name === 'transfer-encoding') {
      transferEncoding = true;
      chunked += raw[i + 1]!.toString('latin1').split(',').filter((c) => c.trim().toLowerCase() === 'chunked').length;
    } else if (name === 'content-length') (lengths ??= []).push(...raw[i + 1]!.toString('latin1').split(',').map((v) => v.trim()));
  }
  if (chunked > 1) return 'chunked applied twice';
  if (!lengths) return undefined;
  if (transferEncoding) return 'both Transfer-Encoding and Content-Length';
  if (!lengths.every((v) => CONTENT_LENGTH.test(v))) return 'bad Content-Length';
  if (new Set(lengths.map(Number)).size > 1) return 'conflicting Content-Lengths';
  return undefined;
}
