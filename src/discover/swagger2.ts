import { isRecord, METHODS, type OpenApiDoc, type Operation, type Parameter, type PathItem, type ResponseObject } from './openapi-types.ts';

/**
 * A dereferenced Swagger 2.0 document read into the OpenAPI 3.x shape inference reads: `in: body` parameters become
 * the request body, response `schema`s become JSON content, `basePath` prefixes the paths, `securityDefinitions`
 * become security schemes. Nothing else of 2.0 is needed.
 */
export function fromSwagger2(doc: Record<string, unknown>): OpenApiDoc {
  const basePath = typeof doc['basePath'] === 'string' && doc['basePath'] !== '/' ? doc['basePath'].replace(/\/$/, '') : '';
  const paths: Record<string, PathItem> = {};
  for (const [route, item] of Object.entries(isRecord(doc['paths']) ? doc['paths'] : {})) {
    if (!isRecord(item)) continue;
    const shared = Array.isArray(item['parameters']) ? (item['parameters'] as Record<string, unknown>[]) : [];
    const out: PathItem = {};
    for (const method of METHODS) {
      const op = item[method];
      if (isRecord(op)) out[method] = operation(op, shared);
    }
    paths[`${basePath}${route}`] = out;
  }
  const schemes: Record<string, { type: string; name?: string; in?: string }> = {};
  for (const [name, def] of Object.entries(isRecord(doc['securityDefinitions']) ? doc['securityDefinitions'] : {})) {
    if (isRecord(def)) schemes[name] = { type: String(def['type']), ...(typeof def['name'] === 'string' ? { name: def['name'] } : {}), ...(typeof def['in'] === 'string' ? { in: def['in'] } : {}) };
  }
  const info = isRecord(doc['info']) ? { title: String(doc['info']['title'] ?? '') } : {};
  const host = typeof doc['host'] === 'string' ? doc['host'] : undefined;
  return {
    openapi: '3.0.0',
    info,
    ...(host ? { servers: [{ url: `https://${host}${basePath}` }] } : {}),
    paths,
    components: { securitySchemes: schemes },
    ...(Array.isArray(doc['security']) ? { security: doc['security'] as OpenApiDoc['security'] } : {}),
  };
}

function operation(op: Record<string, unknown>, shared: Record<string, unknown>[]): Operation {
  const all = [...shared, ...(Array.isArray(op['parameters']) ? (op['parameters'] as Record<string, unknown>[]) : [])];
  const parameters: Parameter[] = [];
  let body: Record<string, unknown> | undefined;
  const form: Record<string, unknown> = {};
  for (const p of all) {
    if (p['in'] === 'body') body = isRecord(p['schema']) ? p['schema'] : {};
    else if (p['in'] === 'formData') form[String(p['name'])] = { type: p['type'] ?? 'string' };
    else if (['query', 'header', 'path', 'cookie'].includes(String(p['in']))) {
      const { name, in: where, required, ...schema } = p;
      parameters.push({ name: String(name), in: where as Parameter['in'], required: required === true, schema: isRecord(p['schema']) ? p['schema'] : schema });
    }
  }
  const responses: Record<string, ResponseObject> = {};
  for (const [code, res] of Object.entries(isRecord(op['responses']) ? op['responses'] : {})) {
    if (!isRecord(res)) continue;
    responses[code] = {
      ...(isRecord(res['headers']) ? { headers: res['headers'] } : {}),
      ...(isRecord(res['schema']) ? { content: { 'application/json': { schema: res['schema'] } } } : {}),
    };
  }
  const requestSchema = body ?? (Object.keys(form).length > 0 ? { type: 'object', properties: form } : undefined);
  return {
    ...(typeof op['operationId'] === 'string' ? { operationId: op['operationId'] } : {}),
    parameters,
    ...(requestSchema ? { requestBody: { content: { 'application/json': { schema: requestSchema } } } } : {}),
    responses,
    ...(Array.isArray(op['security']) ? { security: op['security'] as Operation['security'] } : {}),
  };
}
