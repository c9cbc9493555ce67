import { capabilitiesOf } from './forge-kit.ts';
import { MISSING_FORGERIES } from './forgeries-missing.ts';
import { SPOOFED_FORGERIES } from './forgeries-spoofed.ts';
import type { Capability, ForgeContext, Forgery } from './types.ts';

/** The identity forgery catalogue (MUTATIONS.md 2A–2B): family `missing`, then `spoofed`. */
export const FORGERIES: readonly Forgery[] = Object.freeze([...MISSING_FORGERIES, ...SPOOFED_FORGERIES]);

export function forgeriesOf(family: 'missing' | 'spoofed'): readonly Forgery[] {
  return FORGERIES.filter((f) => f.family === family);
}

/** Capabilities `forgery.requires` that `ctx` lacks; empty means buildable. Record a non-empty result as not applicable. */
export function unmetRequirements(forgery: Forgery, ctx: ForgeContext): Capability[] {
  const caps = capabilitiesOf(ctx);
  return forgery.requires.filter((r) => !caps.has(r));
}
