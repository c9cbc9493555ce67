/** The parts of a dereferenced OpenAPI 3.x document that inference reads (Swagger 2.0 is read into this shape). */
export type JsonSchema = { [key: string]: unknown };

export interface Parameter {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

export interface MediaType {
  schema?: JsonSchema;
}

export interface ResponseObject {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, MediaType>;
  links?: Record<string, { operationId?: string; parameters?: Record<string, unknown> }>;
}

export type SecurityRequirement = Record<string, string[]>;

export interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, ResponseObject>;
  security?: SecurityRequirement[];
  callbacks?: Record<string, Record<string, PathItem>>;
}

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type Method = (typeof METHODS)[number];

export type PathItem = { parameters?: Parameter[] } & { [M in Method]?: Operation };

export interface SecurityScheme {
  type: string;
  name?: string;
  in?: string;
  scheme?: string;
  openIdConnectUrl?: string;
}

export interface OpenApiDoc {
  openapi?: string;
  info?: { title?: string };
  servers?: { url: string }[];
  paths?: Record<string, PathItem>;
  webhooks?: Record<string, PathItem>;
  components?: { securitySchemes?: Record<string, SecurityScheme> };
  security?: SecurityRequirement[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
