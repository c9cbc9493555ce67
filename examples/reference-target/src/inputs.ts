import type { DocumentInput, JobInput, ProjectInput } from './dal.ts';
import { ValidationError } from './errors.ts';
import { bodyObject, callbackUrl, optionalText, requiredText } from './validation.ts';

// Write inputs, validated once for both faces (HTTP bodies and GraphQL `input:` objects). Unknown fields
// (tenant assertions, a GraphQL input's `id`) are ignored here; the edge has checked the tenant ones.

const MAX_DOCUMENT_BODY = 100_000;

export function projectCreateInput(body: unknown): ProjectInput {
  const fields = bodyObject(body);
  return { name: requiredText(fields, 'name', 200), description: optionalText(fields, 'description', 2000, true) };
}

export function projectPatchInput(body: unknown): Partial<ProjectInput> {
  const fields = bodyObject(body);
  const name = optionalText(fields, 'name', 200) ?? undefined;
  if (name !== undefined && name.trim() === '') throw new ValidationError('"name" must be a non-empty string');
  const description = optionalText(fields, 'description', 2000, true);
  if (name === undefined && description === undefined) throw new ValidationError('give "name" and/or "description"');
  return { name, description };
}

export function documentCreateInput(body: unknown): DocumentInput {
  const fields = bodyObject(body);
  return { title: requiredText(fields, 'title', 200), body: optionalText(fields, 'body', MAX_DOCUMENT_BODY) ?? '' };
}

export function documentPatchInput(body: unknown): Partial<DocumentInput> {
  const fields = bodyObject(body);
  const title = optionalText(fields, 'title', 200) ?? undefined;
  if (title !== undefined && title.trim() === '') throw new ValidationError('"title" must be a non-empty string');
  const text = optionalText(fields, 'body', MAX_DOCUMENT_BODY) ?? undefined;
  if (title === undefined && text === undefined) throw new ValidationError('give "title" and/or "body"');
  return { title, body: text };
}

export function generationCreateInput(body: unknown): JobInput {
  const fields = bodyObject(body);
  const prompt = requiredText(fields, 'prompt', 2000);
  const url = fields['callbackUrl'] === undefined || fields['callbackUrl'] === null ? null : callbackUrl(fields['callbackUrl']);
  return { prompt, callbackUrl: url };
}
