import type { ForgeryInfo } from '../identity/types.ts';
import type { Arbitrary } from 'fast-check';
import type { ParsedConfig } from '../config/schema.ts';
import type { Family, PathKind } from '../core/types.ts';
import type { Probe } from './probe.ts';

/** A configured operation as suites see it, with what the probes need to know about its request (body, path variables, object id). */
export interface OperationView {
  id: string;
  kind: 'list' | 'read' | 'create' | 'update' | 'delete';
  method: string;
  path: string;
  fixture: string | undefined;
  tenantScoped: boolean;
  /** The request carries a JSON body (body channels apply). */
  hasBody: boolean;
  /** Tenant-carrying path variables this operation's path uses. */
  tenantPathVars: string[];
  /** The request names an object by id (`{{id}}` or `{{fixtures.<name>.id}}`). */
  addressesObject: boolean;
}

export type { ForgeryInfo };

/** What a suite may draw from: the configured tenants, operations and channels, and the applicable forgeries. */
export interface ProbeSpace {
  tenants: readonly string[];
  /** Ordered pairs (actor, victim) of distinct tenants. */
  tenantPairs: readonly (readonly [string, string])[];
  operations: readonly OperationView[];
  channels: ParsedConfig['channels'];
  forgeries: readonly ForgeryInfo[];
  /** The whole parsed configuration (async, idempotency and webhook sections included). */
  config: ParsedConfig;
}

/** What every fired case (a single probe or a stateful scenario) says about itself in evidence. */
export interface CaseMeta {
  suite: string;
  family: Family;
  path: PathKind;
  operation: string;
  mutation: { id: string; title: string; channel?: string };
  actor: string | null;
  victim: string | null;
}

/** An independent property: fast-check explores `arbitrary` after running every `examples` entry. */
export interface Cell<T> {
  key: string;
  operation: string;
  arbitrary: Arbitrary<T>;
  examples: T[];
}

/** A cell of single mutated requests, executed and judged by the engine. */
export interface ProbeCell extends Cell<Probe> {
  kind?: 'probe';
}

export function buildProbeSpace(config: ParsedConfig, forgeries: readonly ForgeryInfo[]): ProbeSpace {
  const tenants = config.tenants.map((t) => t.id);
  const tenantPairs = tenants.flatMap((a) => tenants.filter((b) => b !== a).map((b) => [a, b] as const));
  const operations = config.operations.map((op): OperationView => {
    const text = JSON.stringify([op.path, op.query ?? null, op.body ?? null]);
    return {
      id: op.id,
      kind: op.kind,
      method: op.method,
      path: op.path,
      fixture: op.fixture,
      tenantScoped: op.tenantScoped,
      hasBody: op.body !== undefined && op.method !== 'GET' && op.method !== 'DELETE' && op.bodyChannels !== false,
      tenantPathVars: config.channels.path.filter((v) => op.path.includes(`{{${v}}}`)),
      addressesObject: /\{\{(id|fixtures\.[^}]+\.id)\}\}/.test(text),
    };
  });
  return { tenants, tenantPairs, operations, channels: config.channels, forgeries, config };
}
