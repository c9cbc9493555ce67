import type { ConfigIssue } from '../core/errors.ts';
import { closest } from './issues.ts';
import type { ParsedConfig } from './schema.ts';

/** Checks that span several fields (references between operations, fixtures, tenants and tokens). */
export function crossCheck(config: ParsedConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const tenantIds = config.tenants.map((t) => t.id);
  duplicates(tenantIds).forEach((id) => issues.push({ path: 'tenants', message: `tenant "${id}" is listed twice` }));
  const operationIds = config.operations.map((o) => o.id);
  duplicates(operationIds).forEach((id) => issues.push({ path: 'operations', message: `operation id "${id}" is used twice` }));
  const fixtureNames = Object.keys(config.fixtures);

  config.operations.forEach((op, i) => {
    const at = `operations[${i}]`;
    if (op.fixture !== undefined && !fixtureNames.includes(op.fixture)) {
      issues.push({ path: `${at}.fixture`, message: unknownName('fixture', op.fixture, fixtureNames) });
    }
    if (op.verify !== undefined && !operationIds.includes(op.verify)) {
      issues.push({ path: `${at}.verify`, message: unknownName('operation', op.verify, operationIds) });
    }
    if (mentions(op, '{{id}}') && op.fixture === undefined) {
      issues.push({ path: `${at}.fixture`, message: 'the request uses {{id}}, so the operation must name the fixture it addresses' });
    }
    for (const ref of fixtureRefs(op)) {
      if (!fixtureNames.includes(ref)) issues.push({ path: `${at}.path`, message: unknownName('fixture', ref, fixtureNames) });
    }
  });

  for (const [name, fixture] of Object.entries(config.fixtures)) {
    const at = `fixtures.${name}`;
    if (!fixture.create && !fixture.ids) issues.push({ path: at, message: 'give either `create` (made at setup) or `ids` (pre-existing)' });
    if (fixture.ids) {
      for (const tenant of tenantIds) {
        if (!(tenant in fixture.ids)) issues.push({ path: `${at}.ids`, message: `no id for tenant "${tenant}"` });
      }
    }
  }

  const tokens = config.identity.tokens;
  if (tokens.kind === 'mint' && !tokens.key.jwk && !tokens.key.pem) {
    issues.push({ path: 'identity.tokens.key', message: 'give the signing key as `jwk` or `pem`' });
  }
  if (tokens.kind === 'static') {
    for (const tenant of tenantIds) {
      if (!(tenant in tokens.tokens)) issues.push({ path: `identity.tokens.tokens.${tenant}`, message: `no token for tenant "${tenant}"` });
    }
  }

  if (tokens.kind === 'oauth2') {
    for (const tenant of tenantIds) {
      const client = tokens.clients[tenant];
      if (!client) issues.push({ path: `identity.tokens.clients.${tenant}`, message: `no OAuth client for tenant "${tenant}" (clientId, clientSecret)` });
      else if (!client.tokenUrl && !tokens.tokenUrl) issues.push({ path: `identity.tokens.clients.${tenant}.tokenUrl`, message: 'no token URL: set identity.tokens.tokenUrl or this client\'s tokenUrl' });
    }
  }
  if (tokens.kind === 'login') {
    for (const tenant of tenantIds) {
      if (!(tenant in tokens.values)) issues.push({ path: `identity.tokens.values.${tenant}`, message: `no login values for tenant "${tenant}"` });
    }
    if (tokens.body !== undefined && tokens.form !== undefined) issues.push({ path: 'identity.tokens.form', message: 'give the login body as `body` (JSON) or `form`, not both' });
    if (tokens.method === 'GET' && (tokens.body !== undefined || tokens.form !== undefined)) issues.push({ path: 'identity.tokens.method', message: 'a GET login request cannot have a body' });
  }

  config.idempotency?.operations.forEach((id, i) => {
    const op = config.operations.find((o) => o.id === id);
    if (!op) issues.push({ path: `idempotency.operations[${i}]`, message: unknownName('operation', id, operationIds) });
    else if (op.kind !== 'create') issues.push({ path: `idempotency.operations[${i}]`, message: `operation "${id}" is a ${op.kind}, not a create` });
  });
  const callbackSecrets = config.async?.callbacks?.signature?.secrets;
  if (callbackSecrets) {
    for (const tenant of tenantIds) {
      if (!(tenant in callbackSecrets)) issues.push({ path: 'async.callbacks.signature.secrets', message: `no callback secret for tenant "${tenant}"` });
    }
  }

  const host = new URL(config.target.baseUrl).hostname;
  if (config.target.allowHosts && !config.target.allowHosts.includes(host)) {
    issues.push({ path: 'target.allowHosts', message: `must include the base URL host "${host}"` });
  }
  config.channels.path.forEach((variable, i) => {
    if (!config.operations.some((op) => op.path.includes(`{{${variable}}}`))) {
      issues.push({ path: `channels.path[${i}]`, message: `no operation path uses {{${variable}}}` });
    }
  });
  return issues;
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

function unknownName(kind: string, name: string, known: readonly string[]): string {
  const guess = closest(name, known);
  return `unknown ${kind} "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
}

function mentions(op: ParsedConfig['operations'][number], token: string): boolean {
  return JSON.stringify([op.path, op.body ?? null, op.query ?? null]).includes(token);
}

function fixtureRefs(op: ParsedConfig['operations'][number]): string[] {
  const text = JSON.stringify([op.path, op.body ?? null, op.query ?? null]);
  return [...text.matchAll(/\{\{fixtures\.([^.}]+)\.id\}\}/g)].map((m) => m[1]!);
}
