import { parseJsonSafe, readJsonPath } from '../core/json-path.ts';
import type { JudgeRules, ResponseView } from './types.ts';

export function isRejection(response: ResponseView, rules: JudgeRules): boolean {
  if (rules.rejectStatuses.includes(response.status)) return true;
  if (rules.rejectBodies.length === 0) return false;
  const json = parseJsonSafe(response.bodyText);
  return rules.rejectBodies.some((matcher) =>
    'regex' in matcher ? new RegExp(matcher.regex).test(response.bodyText) : !isEmptyValue(readJsonPath(json, matcher.jsonPath)),
  );
}

/**
 * A 3xx answer: `rejected` when its Location matches the configured login pattern (`rejection.redirects`);
 * otherwise `unjudged` — a redirect neither serves data nor refuses, so it proves nothing either way.
 */
export function redirectOf(response: ResponseView, rules: JudgeRules): 'rejected' | 'unjudged' | undefined {
  if (response.status < 300 || response.status >= 400) return undefined;
  const location = Object.entries(response.headers).find(([name]) => name.toLowerCase() === 'location')?.[1];
  if (rules.redirects !== undefined && location !== undefined && new RegExp(rules.redirects).test(location)) return 'rejected';
  return 'unjudged';
}

/** True when the response serves no data: an empty body, or an empty value at one of the configured paths. */
export function isEmptyResult(response: ResponseView, rules: JudgeRules): boolean {
  const text = response.bodyText.trim();
  if (text === '') return true;
  const json = parseJsonSafe(text);
  if (json === undefined) return false;
  if (isEmptyValue(json)) return true;
  return rules.emptyPaths.some((path) => {
    const value = readJsonPath(json, path);
    return value !== undefined && isEmptyValue(value) && onlyEnvelope(json, path);
  });
}

export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** `{"items": [], "total": 0}` is empty; `{"items": [], "name": "x"}` still serves data. */
function onlyEnvelope(json: unknown, path: string): boolean {
  if (path === '$' || typeof json !== 'object' || json === null || Array.isArray(json)) return true;
  const top = path.split(/[.[]/)[0]!;
  return Object.entries(json).every(([key, value]) => key === top || isEmptyValue(value) || typeof value === 'number' || typeof value === 'boolean');
}
