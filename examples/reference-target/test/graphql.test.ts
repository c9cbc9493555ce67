// The GraphQL face of the fail-closed target: the same tenant rules as over HTTP (cross-tenant reads and
// writes rejected, a missing token rejected, tenant assertions checked), rejections as errors in a 200
// with data: null, introspection on and the SDL served for clients without it.
import fs from 'node:fs';
import { buildClientSchema, buildSchema, getIntrospectionQuery, getNamedType, printSchema, type GraphQLInputObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTarget } from '../src/index.ts';
import { as, call, canary, graphql, startTarget, stopAll, tokensFor, type Tenant } from './support.ts';

let target: RunningTarget;
let tokens: Record<Tenant, string>;
let acme: { project: { id: string; name: string }; document: { id: string }; generation: { id: string } };
let globexProject: { id: string; name: string };

const CREATE_PROJECT = 'mutation($input: CreateProjectInput!) { createProject(input: $input) { id tenantId name description } }';

beforeAll(async () => {
  target = await startTarget('fail-closed');
  tokens = await tokensFor(target);
  const project = (await graphql(target, tokens.acme, CREATE_PROJECT, { input: { name: canary('acme') } })).body.data.createProject;
  const document = await graphql(target, tokens.acme, 'mutation($p: ID!) { createDocument(input: {projectId: $p, title: "acme-doc"}) { id } }', { p: project.id });
  const generation = await graphql(target, tokens.acme, 'mutation { createGeneration(input: {prompt: "acme prompt"}) { id status } }');
  acme = { project, document: document.body.data.createDocument, generation: generation.body.data.createGeneration };
  globexProject = (await graphql(target, tokens.globex, CREATE_PROJECT, { input: { name: canary('globex') } })).body.data.createProject;
});
afterAll(stopAll);

/** A rejection: 200, data null, one error with this code, and no canary of another tenant. */
function expectRejected(reply: Awaited<ReturnType<typeof graphql>>, code: string, mustNotContain: string[] = []) {
  expect(reply.status, reply.text).toBe(200);
  expect(reply.body.data, reply.text).toBeNull();
  expect(reply.codes).toEqual([code]);
  for (const secret of mustNotContain) expect(reply.text).not.toContain(secret);
}

describe('GraphQL face, fail-closed', () => {
  it('serves its own tenant: create, read, node, list, connection, update, delete', async () => {
    const a = tokens.acme;
    const read = await graphql(target, a, 'query($id: ID!) { project(id: $id) { name tenantId } node(id: $id) { __typename id } }', { id: acme.project.id });
    expect(read.body).toEqual({ data: { project: { name: acme.project.name, tenantId: 'acme' }, node: { __typename: 'Project', id: acme.project.id } } });
    const nodes = await graphql(target, a, 'query($d: ID!, $g: ID!) { d: node(id: $d) { __typename } g: node(id: $g) { __typename } }', { d: acme.document.id, g: acme.generation.id });
    expect(nodes.body.data).toEqual({ d: { __typename: 'Document' }, g: { __typename: 'Generation' } });
    const list = await graphql(target, a, '{ projects { name } projectsConnection(first: 1) { totalCount nodes { name } pageInfo { hasNextPage } } }');
    expect(list.body.data.projects.map((p: { name: string }) => p.name)).toEqual([acme.project.name]);
    expect(list.body.data.projectsConnection).toEqual({ totalCount: 1, nodes: [{ name: acme.project.name }], pageInfo: { hasNextPage: false } });

    const created = await graphql(target, a, CREATE_PROJECT, { input: { name: 'temp', description: null, tenantId: 'acme' } });
    expect(created.body.data.createProject).toMatchObject({ name: 'temp', tenantId: 'acme', description: null });
    const id = created.body.data.createProject.id;
    const updated = await graphql(target, a, 'mutation($id: ID!) { updateProject(input: {id: $id, name: "renamed", tenantId: "acme"}) { name } }', { id });
    expect(updated.body.data.updateProject.name).toBe('renamed');
    const deleted = await graphql(target, a, 'mutation($id: ID!) { deleteProject(input: {id: $id}) { id deleted } }', { id });
    expect(deleted.body.data.deleteProject).toEqual({ id, deleted: true });
    expect((await as(target, a).get(`/projects/${id}`)).status).toBe(404); // the same data as over HTTP
  });

  it('rejects a missing, empty or garbage token on every kind of field', async () => {
    for (const token of [undefined, '', 'not-a-jwt']) {
      for (const query of ['{ projects { id } }', '{ projectsConnection { totalCount } }', `{ project(id: "${acme.project.id}") { name } }`]) {
        const reply = await graphql(target, token, query);
        expect(reply.status).toBe(200);
        expect(reply.body.data).toBeNull();
        expect(reply.codes[0]).toMatch(/^(MISSING_CREDENTIALS|MALFORMED_TOKEN)$/);
        expect(reply.text).not.toContain(acme.project.name);
      }
    }
    expectRejected(await graphql(target, undefined, CREATE_PROJECT, { input: { name: 'anonymous' } }), 'MISSING_CREDENTIALS');
    expect((await as(target, tokens.acme).get('/projects')).body.items.map((p: { name: string }) => p.name)).not.toContain('anonymous');
  });

  it('rejects cross-tenant reads by id (project, node, document, documents, generation)', async () => {
    const g = tokens.globex;
    const secret = [acme.project.name, 'acme-doc', 'acme prompt'];
    expectRejected(await graphql(target, g, 'query($id: ID!) { project(id: $id) { name tenantId } }', { id: acme.project.id }), 'NOT_FOUND', secret);
    expectRejected(await graphql(target, g, 'query($id: ID!) { node(id: $id) { id ... on Project { name } } }', { id: acme.project.id }), 'NOT_FOUND', secret);
    expectRejected(await graphql(target, g, 'query($id: ID!) { document(id: $id) { title } }', { id: acme.document.id }), 'NOT_FOUND', secret);
    expectRejected(await graphql(target, g, 'query($id: ID!) { documents(projectId: $id) { title } }', { id: acme.project.id }), 'NOT_FOUND', secret);
    expectRejected(await graphql(target, g, 'query($id: ID!) { generation(id: $id) { prompt } }', { id: acme.generation.id }), 'NOT_FOUND', secret);
    expectRejected(await graphql(target, g, '{ project(id: "not-a-uuid") { name } }'), 'NOT_FOUND');
  });

  it('rejects cross-tenant writes by id and leaves the rows unchanged', async () => {
    const g = tokens.globex;
    expectRejected(await graphql(target, g, 'mutation($id: ID!) { updateProject(input: {id: $id, name: "taken"}) { name } }', { id: acme.project.id }), 'NOT_FOUND');
    expectRejected(await graphql(target, g, 'mutation($id: ID!) { deleteProject(input: {id: $id}) { deleted } }', { id: acme.project.id }), 'NOT_FOUND');
    expectRejected(await graphql(target, g, 'mutation($id: ID!) { updateDocument(input: {id: $id, title: "taken"}) { title } }', { id: acme.document.id }), 'NOT_FOUND');
    expectRejected(await graphql(target, g, 'mutation($id: ID!) { deleteDocument(input: {id: $id}) { deleted } }', { id: acme.document.id }), 'NOT_FOUND');
    expectRejected(await graphql(target, g, 'mutation($p: ID!) { createDocument(input: {projectId: $p, title: "planted"}) { id } }', { p: acme.project.id }), 'NOT_FOUND');
    const after = await graphql(target, tokens.acme, 'query($id: ID!, $d: ID!) { project(id: $id) { name } document(id: $d) { title } documents(projectId: $id) { title } }', { id: acme.project.id, d: acme.document.id });
    expect(after.body.data).toEqual({ project: { name: acme.project.name }, document: { title: 'acme-doc' }, documents: [{ title: 'acme-doc' }] });
  });

  it('rejects an input tenantId or an HTTP channel naming another tenant (403 TENANT_MISMATCH), and nothing lands there', async () => {
    const a = tokens.acme;
    for (const tenantId of ['globex', 'ACME', '', null]) {
      expectRejected(await graphql(target, a, CREATE_PROJECT, { input: { name: 'moved', tenantId } }), 'TENANT_MISMATCH');
    }
    expectRejected(await graphql(target, a, 'mutation($id: ID!) { updateProject(input: {id: $id, name: "moved", tenantId: "globex"}) { name } }', { id: acme.project.id }), 'TENANT_MISMATCH');
    expectRejected(await graphql(target, a, 'mutation { createGeneration(input: {prompt: "p", tenantId: "globex"}) { id } }'), 'TENANT_MISMATCH');
    expectRejected(await graphql(target, a, '{ projects { name } }', undefined, { 'X-Tenant-ID': 'globex' }), 'TENANT_MISMATCH', [globexProject.name]);
    expectRejected(await graphql(target, a, '{ projects { name } }', undefined, { cookie: 'tenant=globex' }), 'TENANT_MISMATCH', [globexProject.name]);
    const query = await call(target, 'POST', '/graphql?tenantId=globex', { token: a, json: { query: '{ projects { name } }' } });
    expect(query.body).toMatchObject({ data: null, errors: [{ extensions: { code: 'TENANT_MISMATCH' } }] });
    const globexNames = (await graphql(target, tokens.globex, '{ projects { name } }')).body.data.projects.map((p: { name: string }) => p.name);
    expect(globexNames).toEqual([globexProject.name]);
  });

  it('validates inputs as the HTTP face does (errors in a 200), and answers non-GraphQL requests with 400', async () => {
    expectRejected(await graphql(target, tokens.acme, CREATE_PROJECT, { input: { name: '   ' } }), 'VALIDATION_FAILED');
    expectRejected(await graphql(target, tokens.acme, CREATE_PROJECT, { input: { name: 'x'.repeat(201) } }), 'VALIDATION_FAILED');
    expectRejected(await graphql(target, tokens.acme, 'mutation { createGeneration(input: {prompt: "p", callbackUrl: "ftp://x"}) { id } }'), 'VALIDATION_FAILED');
    expect((await graphql(target, tokens.acme, '{ nope }')).status).toBe(400);
    expect((await call(target, 'POST', '/graphql', { token: tokens.acme, raw: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await call(target, 'GET', '/graphql', { token: tokens.acme })).status).toBe(405);
  });

  it('has introspection on, and serves the same schema as SDL at /graphql/schema.graphql', async () => {
    const introspection = await graphql(target, undefined, getIntrospectionQuery({ schemaDescription: true }));
    expect(introspection.status).toBe(200);
    const fromIntrospection = printSchema(buildClientSchema(introspection.body.data));
    const sdl = await call(target, 'GET', '/graphql/schema.graphql');
    expect(sdl.status).toBe(200);
    expect(sdl.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(sdl.text).toBe(fs.readFileSync(new URL('../src/graphql/schema.graphql', import.meta.url), 'utf8'));
    expect(printSchema(buildSchema(sdl.text))).toBe(fromIntrospection);
    const mutations = buildSchema(sdl.text).getMutationType()!.getFields();
    for (const name of Object.keys(mutations)) {
      const input = mutations[name]!.args.find((arg) => arg.name === 'input')!;
      expect(Object.keys((getNamedType(input.type) as GraphQLInputObjectType).getFields()), name).toContain('tenantId');
    }
  });
});
