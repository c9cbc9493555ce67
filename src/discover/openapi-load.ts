import { invalid, parseDocumentText, readSource, type SourceText } from './source.ts';
import { pathOfFrame } from './json-lines.ts';
import { fromSwagger2 } from './swagger2.ts';
import type { OpenApiDoc } from './openapi-types.ts';

export interface LoadedSpec {
  doc: OpenApiDoc;
  origin: string;
  /** `OpenAPI 3.1.0`, `Swagger 2.0`, … */
  version: string;
  /** The base URL a capture talked to (HAR), else undefined: the servers say. */
  baseUrl?: string;
}

/**
 * Reads, validates and dereferences an OpenAPI 3.0/3.1 or Swagger 2.0 description (file or URL, JSON or YAML).
 * An invalid description fails with the JSON path of its first error; Swagger 2.0 is read into the 3.x shape.
 */
export async function loadOpenApi(where: string): Promise<LoadedSpec> {
  // Loaded on use: a run from a config file never pays for the OpenAPI parser (or ajv).
  const { dereference } = await import('@readme/openapi-parser');
  const source = await readSource('--openapi', where, { accept: 'application/json, application/yaml;q=0.9, */*;q=0.5' });
  const raw = parseDocumentText(source, 'OpenAPI description');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(source, 'OpenAPI description', 'expected a mapping at the top level');
  const top = raw as Record<string, unknown>;
  const version = typeof top['openapi'] === 'string' ? `OpenAPI ${top['openapi']}` : typeof top['swagger'] === 'string' ? `Swagger ${top['swagger']}` : undefined;
  if (!version) throw invalid(source, 'OpenAPI description', 'neither an `openapi` nor a `swagger` version field at the top level: is this an OpenAPI description?');
  if (!/^(OpenAPI 3\.[01]\.|Swagger 2\.0)/.test(version)) throw invalid(source, 'OpenAPI description', `${version} is not supported (OpenAPI 3.0, 3.1 and Swagger 2.0 are)`);
  await validated(source, raw);
  let doc: Record<string, unknown>;
  try {
    doc = (await dereference(structuredClone(raw) as never, { dereference: { circular: true } } as never)) as unknown as Record<string, unknown>;
  } catch (error) {
    throw invalid(source, 'OpenAPI description', `cannot resolve its references: ${(error as Error).message}`);
  }
  return { doc: version.startsWith('Swagger') ? fromSwagger2(doc) : (doc as unknown as OpenApiDoc), origin: source.origin, version };
}

async function validated(source: SourceText, raw: object): Promise<void> {
  const { dereference, validate } = await import('@readme/openapi-parser');
  let result;
  try {
    result = await validate(structuredClone(raw) as never);
  } catch (error) {
    throw invalid(source, 'OpenAPI description', firstLine((error as Error).message));
  }
  if (result.valid) return;
  const first = result.errors[0]?.message ?? 'invalid';
  let where: string | undefined;
  try {
    where = pathOfFrame(first, await dereference(structuredClone(raw) as never));
  } catch {
    where = undefined;
  }
  const more = result.errors.length - 1 + result.additionalErrors;
  throw invalid(
    source,
    'OpenAPI description',
    `invalid at ${where ?? '(unknown path)'}: ${firstLine(first).replace(/^[A-Z]+ /, '')}${more > 0 ? ` (and ${more} more error${more === 1 ? '' : 's'})` : ''}`,
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
