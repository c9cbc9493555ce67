import type { App } from '../app.ts';
import { rememberCallbackUrl } from '../app-state.ts';
import { NotFoundError } from '../errors.ts';
import type { Route, RouteRequest, RouteResponse } from '../http.ts';
import { idempotentRequest } from '../idempotency.ts';
import { generationCreateInput } from '../inputs.ts';
import { isUuid } from '../validation.ts';
import { commandResponse } from './responses.ts';

export function generationRoutes(app: App): Route[] {
  const create = async (req: RouteRequest): Promise<RouteResponse> => {
    const input = generationCreateInput(req.body);
    const request = idempotentRequest(req.headers['idempotency-key'], req.method, req.path, req.body);
    rememberCallbackUrl(app.state, input.callbackUrl);
    return commandResponse(await app.dal.createJob(input, request), '/generations');
  };

  const get = async (req: RouteRequest): Promise<RouteResponse> => {
    const id = req.params['id'];
    const job = isUuid(id) ? await app.dal.getJob(id) : null;
    if (!job) throw new NotFoundError('generation');
    return { status: 200, body: job };
  };

  return [
    { method: 'POST', pattern: '/generations', auth: 'required', handler: create },
    { method: 'GET', pattern: '/generations/:id', auth: 'required', handler: get },
  ];
}
