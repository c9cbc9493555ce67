/** The process exit codes of every command (README "Verdicts"): findings 1, usage 2, inconclusive 3, interrupted 130. */
export const EXIT = { ok: 0, findings: 1, usage: 2, inconclusive: 3, interrupted: 130 } as const;
