import type { ResolvedConfig } from '../config/resolve.ts';
import type { OutgoingRequest } from '../core/exchange.ts';
import { assertedText, type Assertion } from '../generate/probe.ts';
import { renderString, renderValue, setAtPath, type TemplateVars } from './template.ts';
import type { ScenarioRequestTemplate as RequestTemplate } from '../generate/scenario.ts';

export type { ScenarioRequestTemplate as RequestTemplate } from '../generate/scenario.ts';

export interface RequestParts {
  /** Tenant whose path variables fill `{{tenant}}` unless an assertion overrides them. */
  tenant: string;
  vars: TemplateVars;
  /** Authorization header value; `null` omits it; `undefined` leaves it to the sender. */
  authorization: string | null | undefined;
  assertion?: Assertion | undefined;
}

/** Renders a configured request template into the exact request to send, with an optional tenant assertion. */
export function buildRequest(config: ResolvedConfig, template: RequestTemplate, parts: RequestParts): OutgoingRequest {
  const asserted = parts.assertion ? assertedText(parts.assertion.value) : undefined;
  const vars: Record<string, string | undefined> = { tenant: parts.tenant, ...parts.vars };
  if (parts.assertion?.channel === 'path') vars[parts.assertion.carrier] = asserted;

  const url = new URL(config.target.baseUrl);
  url.pathname = url.pathname.replace(/\/$/, '') + renderString(template.path, vars, encodeURIComponent);
  for (const [name, value] of Object.entries(template.query ?? {})) url.searchParams.set(name, renderString(value, vars));
  if (parts.assertion?.channel === 'query') url.searchParams.set(parts.assertion.carrier, asserted!);

  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'tenancy-audit',
    ...lowerKeys(config.target.headers ?? {}),
    ...lowerKeys(Object.fromEntries(Object.entries(template.headers ?? {}).map(([k, v]) => [k, renderString(v, vars)]))),
  };
  if (parts.authorization !== undefined && parts.authorization !== null) headers['authorization'] = parts.authorization;
  if (parts.authorization === null) delete headers['authorization'];

  let body: unknown = template.body === undefined ? undefined : renderValue(template.body, vars);
  const assertion = parts.assertion;
  if (assertion?.channel === 'body') {
    body = setAtPath(body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {}, assertion.carrier, asserted);
  }
  if (assertion?.channel === 'header') headers[assertion.carrier.toLowerCase()] = asserted!;
  if (assertion?.channel === 'cookie') {
    headers['cookie'] = [headers['cookie'], `${assertion.carrier}=${encodeURIComponent(asserted!)}`].filter(Boolean).join('; ');
  }
  if (assertion?.channel === 'host') headers['host'] = renderString(assertion.carrier, { tenant: asserted });
  const request: OutgoingRequest = { method: template.method, url: url.toString(), headers };
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    request.body = JSON.stringify(body);
  }
  return request;
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}
