import { rememberCallbackUrl } from '../app-state.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { documentCreateInput, documentPatchInput, generationCreateInput, projectCreateInput, projectPatchInput } from '../inputs.ts';
import { isUuid } from '../validation.ts';
import { inTenant, type GraphqlContext } from './context.ts';

type Args = Record<string, any>;
type Input = Record<string, unknown>;

const typed = <T extends object>(typename: string, value: T) => ({ __typename: typename, ...value });

function found<T>(value: T | null | undefined, what: string): T {
  if (!value) throw new NotFoundError(what);
  return value;
}

const uuidOrNotFound = (id: unknown, what: string): string => {
  if (!isUuid(id)) throw new NotFoundError(what);
  return id;
};

const MAX_PAGE = 100;

/** Root fields of schema.graphql; each calls the same data layer the HTTP routes call. */
export const rootValue = {
  node: (args: Args, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'required', method: 'GET' }, async () => {
      const id = uuidOrNotFound(args['id'], 'node');
      const project = await ctx.app.dal.getProject(id);
      if (project) return typed('Project', project);
      const document = await ctx.app.dal.getDocument(id);
      if (document) return typed('Document', document);
      return typed('Generation', found(await ctx.app.dal.getJob(id), 'node'));
    }),

  project: (args: Args, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'required', method: 'GET' }, async () => found(await ctx.app.dal.getProject(uuidOrNotFound(args['id'], 'project')), 'project')),

  projects: (_args: Args, ctx: GraphqlContext) => inTenant(ctx, { policy: 'list', method: 'GET' }, () => ctx.app.dal.listProjects(), () => []),

  projectsConnection: (args: Args, ctx: GraphqlContext) => {
    const first = (args['first'] as number | null | undefined) ?? 50;
    if (first < 0 || first > MAX_PAGE) throw new ValidationError(`"first" must be between 0 and ${MAX_PAGE}`);
    const after = args['after'] as string | null | undefined;
    return inTenant(
      ctx,
      { policy: 'list', method: 'GET' },
      async () => connection(await ctx.app.dal.listProjects(), first, after),
      () => connection([], first, after),
    );
  },

  document: (args: Args, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'required', method: 'GET' }, async () => found(await ctx.app.dal.getDocument(uuidOrNotFound(args['id'], 'document')), 'document')),

  documents: (args: Args, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'list', method: 'GET' }, async () => found(await ctx.app.dal.listDocuments(uuidOrNotFound(args['projectId'], 'project')), 'project'), () => []),

  generation: (args: Args, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'required', method: 'GET' }, async () => found(await ctx.app.dal.getJob(uuidOrNotFound(args['id'], 'generation')), 'generation')),

  createProject: ({ input }: { input: Input }, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'required', method: 'POST', input }, async () => (await ctx.app.dal.createProject(projectCreateInput(input))).body),

  updateProject: ({ input }: { input: Input }, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'required', method: 'PATCH', input }, async () => {
      const id = uuidOrNotFound(input['id'], 'project');
      return found(await ctx.app.dal.updateProject(id, projectPatchInput(input)), 'project');
    }),

  deleteProject: ({ input }: { input: Input }, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'required', method: 'DELETE', input }, async () => {
      const id = uuidOrNotFound(input['id'], 'project');
      found(await ctx.app.dal.deleteProject(id), 'project');
      return { id, deleted: true };
    }),

  createDocument: ({ input }: { input: Input }, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'required', method: 'POST', input }, async () => {
      const projectId = uuidOrNotFound(input['projectId'], 'project');
      return found(await ctx.app.dal.createDocument(projectId, documentCreateInput(input)), 'project');
    }),

  updateDocument: ({ input }: { input: Input }, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'required', method: 'PATCH', input }, async () => {
      const id = uuidOrNotFound(input['id'], 'document');
      return found(await ctx.app.dal.updateDocument(id, documentPatchInput(input)), 'document');
    }),

  deleteDocument: ({ input }: { input: Input }, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'required', method: 'DELETE', input }, async () => {
      const id = uuidOrNotFound(input['id'], 'document');
      found(await ctx.app.dal.deleteDocument(id), 'document');
      return { id, deleted: true };
    }),

  createGeneration: ({ input }: { input: Input }, ctx: GraphqlContext) =>
    inTenant(ctx, { policy: 'required', method: 'POST', input }, async () => {
      const job = generationCreateInput(input);
      rememberCallbackUrl(ctx.app.state, job.callbackUrl);
      return (await ctx.app.dal.createJob(job)).body;
    }),
};

function connection<T extends { id: string }>(items: T[], first: number, after: string | null | undefined) {
  const start = after ? items.findIndex((item) => cursorOf(item) === after) + 1 : 0;
  if (after && start === 0) throw new ValidationError('"after" is not a cursor of this list');
  const page = items.slice(start, start + first);
  return {
    edges: page.map((node) => ({ cursor: cursorOf(node), node })),
    nodes: page,
    pageInfo: { hasNextPage: start + first < items.length, endCursor: page.length ? cursorOf(page[page.length - 1]!) : null },
    totalCount: items.length,
  };
}

const cursorOf = (item: { id: string }) => Buffer.from(`project:${item.id}`).toString('base64url');
