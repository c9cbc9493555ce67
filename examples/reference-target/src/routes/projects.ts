import type { App } from '../app.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Route, RouteRequest, RouteResponse } from '../http.ts';
import { idempotentRequest } from '../idempotency.ts';
import { bodyObject, isUuid, optionalText, requiredText } from '../validation.ts';
import { commandResponse } from './responses.ts';

export function projectRoutes(app: App): Route[] {
  const list = async (): Promise<RouteResponse> => ({ status: 200, body: { items: await app.dal.listProjects() } });

  const get = async (req: RouteRequest): Promise<RouteResponse> => {
    const id = req.params['id'];
    const project = isUuid(id) ? await app.dal.getProject(id) : null;
    if (!project) throw new NotFoundError('project');
    return { status: 200, body: project };
  };

  const create = async (req: RouteRequest): Promise<RouteResponse> => {
    const body = bodyObject(req.body);
    const input = { name: requiredText(body, 'name', 200), description: optionalText(body, 'description', 2000, true) };
    const request = idempotentRequest(req.headers['idempotency-key'], req.method, req.path, req.body);
    return commandResponse(await app.dal.createProject(input, request), '/projects');
  };

  const update = async (req: RouteRequest): Promise<RouteResponse> => {
    const id = req.params['id'];
    if (!isUuid(id)) throw new NotFoundError('project');
    const body = bodyObject(req.body);
    const name = optionalText(body, 'name', 200) ?? undefined;
    if (name !== undefined && name.trim() === '') throw new ValidationError('"name" must be a non-empty string');
    const description = optionalText(body, 'description', 2000, true);
    if (name === undefined && description === undefined) throw new ValidationError('give "name" and/or "description"');
    const project = await app.dal.updateProject(id, { name, description });
    if (!project) throw new NotFoundError('project');
    return { status: 200, body: project };
  };

  const remove = async (req: RouteRequest): Promise<RouteResponse> => {
    const id = req.params['id'];
    if (!isUuid(id) || !(await app.dal.deleteProject(id))) throw new NotFoundError('project');
    return { status: 204 };
  };

  return [
    { method: 'GET', pattern: '/projects', auth: 'list', handler: list },
    { method: 'POST', pattern: '/projects', auth: 'required', handler: create },
    { method: 'GET', pattern: '/projects/:id', auth: 'required', handler: get },
    { method: 'PATCH', pattern: '/projects/:id', auth: 'required', handler: update },
    { method: 'DELETE', pattern: '/projects/:id', auth: 'required', handler: remove },
    // Path channel: `:tenantId` must equal the token's tenant (checked at the edge), then the same handlers.
    { method: 'GET', pattern: '/tenants/:tenantId/projects', auth: 'required', handler: list },
    { method: 'GET', pattern: '/tenants/:tenantId/projects/:id', auth: 'required', handler: get },
  ];
}
