import type { RouteResponse } from '../http.ts';
import type { CommandResult } from '../idempotency.ts';

/** A create's response, or its idempotent replay (flagged with `Idempotent-Replayed: true`). */
export function commandResponse(result: CommandResult, locationBase: string): RouteResponse {
  const headers: Record<string, string> = {};
  const id = (result.body as { id?: unknown } | null)?.id;
  if (typeof id === 'string') headers['Location'] = `${locationBase}/${id}`;
  if (result.replayed) headers['Idempotent-Replayed'] = 'true';
  return { status: result.status, body: result.body, headers };
}
