export { judgeProbe } from './probe.ts';
export { judgeControl, judgeLegit, type ControlObservation, type LegitObservation } from './control.ts';
export { isRejection, isEmptyResult } from './rejection.ts';
export { tenantsSeen } from './canary.ts';
export { readJsonPath, parseJsonSafe } from './json-path.ts';
export type * from './types.ts';
