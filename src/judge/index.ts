export { judgeProbe } from './probe.ts';
export { judgeControl, judgeLegit, type ControlObservation, type LegitObservation } from './control.ts';
export { isRejection, isEmptyResult } from './rejection.ts';
export { tenantsSeen } from './canary.ts';
export { displayRank, isFailing, suiteStatus, type SuiteTally } from './suite-status.ts';
export { readJsonPath, parseJsonSafe } from '../core/json-path.ts';
export type * from './types.ts';
