import type { ScenarioCell } from '../generate/scenario.ts';
import type { ProbeCell, ProbeSpace } from '../generate/space.ts';
import type { SuiteDefinitionBase } from './define.ts';

/** An HTTP suite: metadata plus the property cells it fires (see `src/generate/arbitraries.ts` for builders). */
export interface HttpSuiteDefinition extends SuiteDefinitionBase {
  target: 'http';
  cells(space: ProbeSpace): readonly (ProbeCell | ScenarioCell<any> | undefined)[];
}

export function isHttpSuite(value: SuiteDefinitionBase): value is HttpSuiteDefinition {
  return value.target === 'http' && typeof (value as Partial<HttpSuiteDefinition>).cells === 'function';
}
