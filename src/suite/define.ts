import type { SuiteMeta } from '../core/types.ts';
import type { HttpSuiteDefinition } from './http.ts';

/**
 * A suite is declarative metadata beside its property. `target` says which engine runs it:
 * `http` suites are fast-check properties over probes fired at a deployment (see `src/generate`),
 * `db` suites are run by the data-layer audit (see `src/db/audit`).
 * The engine-specific members are typed by the engine that consumes them.
 */
export interface SuiteDefinitionBase extends SuiteMeta {
  target: 'http' | 'db';
}

/**
 * Identity function that gives a suite file type checking; the loader validates the metadata.
 *
 * @example
 * export default defineSuite({ id: 'identity.missing', target: 'http', cells: (space) => [...], ... });
 */
export function defineSuite(suite: HttpSuiteDefinition): HttpSuiteDefinition;
export function defineSuite<const S extends SuiteDefinitionBase>(suite: S): S;
export function defineSuite(suite: SuiteDefinitionBase): SuiteDefinitionBase {
  return suite;
}

export function suiteMeta(suite: SuiteMeta): SuiteMeta {
  const { id, title, description, families, paths, severity, controls, remediation } = suite;
  return { id, title, description, families, paths, severity, controls, remediation };
}
