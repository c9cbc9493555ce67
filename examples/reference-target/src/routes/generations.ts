import type { App } from '../app.ts';
import { NotFoundError } from '../errors.ts';
import type { Route, RouteRequest, RouteResponse } from '../http.ts';
import { idempotentRequest } from '../idempotency.ts';
import { bodyObject, callbackUrl, isUuid, requiredText } from '../validation.ts';
import { commandResponse } from './responses.ts';

export function generationRoutes(app: App): Route[] {
  const create = async (req: RouteRequest): Promise<RouteResponse> => {
    const body = bodyObject(req.body);
    const prompt = requiredText(body, 'prompt', 2000);
    const url = body['callbackUrl'] === undefined || body['callbackUrl'] === null ? null : callbackUrl(body['callbackUrl']);
    const request = idempotentRequest(req.headers['idempotency-key'], req.method, req.path, req.body);
    if (url) app.state.lastRegisteredCallbackUrl = url;
    return commandResponse(await app.dal.createJob({ prompt, callbackUrl: url }, request), '/generations');
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
