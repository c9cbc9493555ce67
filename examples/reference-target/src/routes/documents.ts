import type { App } from '../app.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Route, RouteRequest, RouteResponse } from '../http.ts';
import { bodyObject, isUuid, optionalText, requiredText } from '../validation.ts';

const MAX_BODY = 100_000;

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
    const body = bodyObject(req.body);
    const input = { title: requiredText(body, 'title', 200), body: optionalText(body, 'body', MAX_BODY) ?? '' };
    const document = await app.dal.createDocument(projectId, input);
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
    const body = bodyObject(req.body);
    const title = optionalText(body, 'title', 200) ?? undefined;
    if (title !== undefined && title.trim() === '') throw new ValidationError('"title" must be a non-empty string');
    const text = optionalText(body, 'body', MAX_BODY) ?? undefined;
    if (title === undefined && text === undefined) throw new ValidationError('give "title" and/or "body"');
    const document = await app.dal.updateDocument(id, { title, body: text });
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
