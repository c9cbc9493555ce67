import type { App } from '../app.ts';
import { NotFoundError } from '../errors.ts';
import type { Route, RouteRequest, RouteResponse } from '../http.ts';
import { documentCreateInput, documentPatchInput } from '../inputs.ts';
import { isUuid } from '../validation.ts';

export function documentRoutes(app: App): Route[] {
  const list = async (req: RouteRequest): Promise<RouteResponse> => {
    const projectId = req.params['id'];
    const items = isUuid(projectId) ? await app.dal.listDocuments(projectId) : null;
    if (!items) throw new NotFoundError('project');
    return { status: 200, body: { items } };
  };

  const create = async (req: RouteRequest): Promise<RouteResponse> => {
    const projectId = req.params['id'];
    if (!isUuid(projectId)) throw new NotFoundError('project');
    const document = await app.dal.createDocument(projectId, documentCreateInput(req.body));
    if (!document) throw new NotFoundError('project');
    return { status: 201, body: document, headers: { Location: `/documents/${document.id}` } };
  };

  const get = async (req: RouteRequest): Promise<RouteResponse> => {
    const id = req.params['id'];
    const document = isUuid(id) ? await app.dal.getDocument(id) : null;
    if (!document) throw new NotFoundError('document');
    return { status: 200, body: document };
  };

  const update = async (req: RouteRequest): Promise<RouteResponse> => {
    const id = req.params['id'];
    if (!isUuid(id)) throw new NotFoundError('document');
    const document = await app.dal.updateDocument(id, documentPatchInput(req.body));
    if (!document) throw new NotFoundError('document');
    return { status: 200, body: document };
  };

  const remove = async (req: RouteRequest): Promise<RouteResponse> => {
    const id = req.params['id'];
    if (!isUuid(id) || !(await app.dal.deleteDocument(id))) throw new NotFoundError('document');
    return { status: 204 };
  };

  return [
    { method: 'GET', pattern: '/projects/:id/documents', auth: 'list', handler: list },
    { method: 'POST', pattern: '/projects/:id/documents', auth: 'required', handler: create },
    { method: 'GET', pattern: '/documents/:id', auth: 'required', handler: get },
    { method: 'PATCH', pattern: '/documents/:id', auth: 'required', handler: update },
    { method: 'DELETE', pattern: '/documents/:id', auth: 'required', handler: remove },
  ];
}
