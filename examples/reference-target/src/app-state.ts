/**
 * Per-target mutable state that only the seeded bugs read. Each running target has its own (several
 * targets can share one process), standing in for the module-level globals such bugs usually use.
 */
export interface AppState {
  /** Tenant of the most recent authenticated request (read by `queue-context-lost`). */
  lastSeenTenant: string | undefined;
  /** Most recently registered callback URL (read by `callback-misrouted`). */
  lastRegisteredCallbackUrl: string | undefined;
}

export function createAppState(): AppState {
  return { lastSeenTenant: undefined, lastRegisteredCallbackUrl: undefined };
}

/** Every registered callback URL passes here (both faces), so `callback-misrouted` sees the last one. */
export function rememberCallbackUrl(state: AppState, url: string | null): void {
  if (url) state.lastRegisteredCallbackUrl = url;
}
