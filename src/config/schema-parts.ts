import { z } from 'zod';

/** Field types the config schema and its sections share. */
export const secret = z.string().min(1).describe('A secret: `env:NAME` reads an environment variable, `file:PATH` reads a file relative to the config.');
export const positiveInt = z.number().int().positive();
export const httpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
export const jsonPath = z.string().describe('Dot path into a JSON body, e.g. `id`, `data.items`, `items[0].id`; `$` is the whole body.');

export const httpUrl = z
  .string()
  .refine((v) => /^https?:\/\/[^/\s]/i.test(v) && URL.canParse(v), 'expected an absolute http:// or https:// URL');
export const refreshBeforeSeconds = z.number().nonnegative().optional().describe('Re-obtain a token this many seconds before it expires; default `min(60, lifetime / 4)`.');

export const requestTemplate = {
  method: httpMethod,
  path: z.string().startsWith('/').describe('Path template: `{{id}}`, `{{tenant}}`, `{{fixtures.<name>.id}}` are filled in.'),
  query: z.record(z.string(), z.string()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional().describe('JSON body template: `{{canary}}`, `{{marker}}`, `{{tenant}}`, `{{id}}` are filled in.'),
};
