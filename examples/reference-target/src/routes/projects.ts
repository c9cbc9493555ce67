import type { App } from '../app.ts';
import { NotFoundError } from '../errors.ts';
import type { Route, RouteRequest, RouteResponse } from '../http.ts';
import { idempotentRequest } from '../idempotency.ts';
import { projectCreateInput, projectPatchInput } from '../inputs.ts';
import { isUuid } from '../validation.ts';
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
    const input = projectCreateInput(req.body);
    const request = idempotentRequest(req.headers['idempotency-key'], req.method, req.path, req.body);
    return commandResponse(await app.dal.createProject(input, request), '/projects');
  };

  const update = async (req: RouteRequest): Promise<RouteResponse> => {
    const id = req.params['id'];
    if (!isUuid(id)) throw new NotFoundError('project');
    const project = await app.dal.updateProject(id, projectPatchInput(req.body));
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
