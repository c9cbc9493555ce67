import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { TenancyAuditError } from '../core/errors.ts';

/** A description's text and where it came from (a file path or a URL). */
export interface SourceText {
  text: string;
  origin: string;
  /** The URL's response Content-Type, when fetched. */
  contentType?: string;
}

const FETCH_TIMEOUT_MS = 15_000;

export function isUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/** Reads a file or fetches a URL; a missing file or an unreachable URL is a usage error (exit 2) naming it. */
export async function readSource(flag: string, where: string, headers: Record<string, string> = {}): Promise<SourceText> {
  if (isUrl(where)) return fetchSource(flag, where, headers);
  try {
    return { text: await fs.readFile(path.resolve(where), 'utf8'), origin: where };
  } catch (cause) {
    throw new TenancyAuditError('TA_USAGE', `${flag} ${where}: cannot read the file (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, {
      hint: `Check the path, or give an http(s) URL to ${flag}.`,
    });
  }
}

async function fetchSource(flag: string, url: string, headers: Record<string, string>): Promise<SourceText> {
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  } catch (cause) {
    const reason = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).name;
    throw new TenancyAuditError('TA_USAGE', `${flag} ${url}: the URL is unreachable (${reason})`, {
      hint: 'Check that the service is running and the URL is right, or save the description to a file and pass its path.',
    });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new TenancyAuditError('TA_USAGE', `${flag} ${url}: the server answered ${response.status}`, {
      hint: 'Check the URL (and that the description is published without credentials), or save it to a file and pass its path.',
    });
  }
  return { text, origin: url, contentType: response.headers.get('content-type') ?? '' };
}

/** Parses JSON or YAML text into a value; a syntax error names the line and column. */
export function parseDocumentText(source: SourceText, what: string): unknown {
  const trimmed = source.text.trimStart();
  if (trimmed === '') throw invalid(source, what, 'the document is empty');
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(source.text);
    } catch (error) {
      throw invalid(source, what, `invalid JSON: ${(error as Error).message}`);
    }
  }
  const doc = YAML.parseDocument(source.text, { prettyErrors: true, uniqueKeys: false });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0];
    throw invalid(source, what, `invalid YAML${line ? ` at line ${line.line}, column ${line.col}` : ''}: ${problem.message.split('\n')[0]}`);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

export function invalid(source: { origin: string }, what: string, message: string, hint?: string): TenancyAuditError {
  return new TenancyAuditError('TA_SPEC_INVALID', `${what} ${source.origin}: ${message}`, {
    hint: hint ?? `Fix the ${what} (or export it again from its source) and run init again.`,
  });
}
