import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { reportCommand } from '../../src/cli/commands/report.ts';
import { verifyCommand } from '../../src/cli/commands/verify.ts';

const load = async (name: string) => YAML.parse(await readFile(new URL(`../../examples/ci/${name}`, import.meta.url), 'utf8'));

/** Every `npx tenancy-audit <cmd> …` line of a script, flattened. */
function commands(scripts: string[]): string[] {
  return scripts.flatMap((s) => s.split('\n')).map((l) => l.trim()).filter((l) => l.startsWith('npx tenancy-audit '));
}

/** Flags a command line uses that the command does not declare. */
function unknownFlags(line: string, cmd: Command): string[] {
  const known = new Set(cmd.options.flatMap((o) => [o.long, o.short].filter(Boolean) as string[]));
  return (line.match(/(?<=\s)--?[a-z][a-z-]*/g) ?? []).filter((f) => !known.has(f));
}

describe('examples/ci', () => {
  it('github-actions.yml: a 3-shard matrix, then merge, verify, upload and step summary', async () => {
    const wf = await load('github-actions.yml');
    expect(wf.jobs.shard.strategy.matrix.shard).toEqual([1, 2, 3]);
    const shardRuns = commands(wf.jobs.shard.steps.map((s: { run?: string }) => s.run ?? ''));
    expect(shardRuns).toEqual([expect.stringMatching(/^npx tenancy-audit run --config \S+ .*--shard \$\{\{ matrix.shard \}\}\/3 --report-dir reports\/shard-\$\{\{ matrix.shard \}\}/)]);
    expect(wf.jobs.report.needs).toBe('shard');
    const steps: { run?: string; uses?: string }[] = wf.jobs.report.steps;
    const lines = commands(steps.map((s) => s.run ?? ''));
    expect(lines[0]).toMatch(/^npx tenancy-audit report reports\/shard-\* --out reports\/merged/);
    expect(lines[1]).toMatch(/^npx tenancy-audit verify reports\/merged --key \S+/);
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-artifact'))).toBe(true);
    expect(steps.some((s) => s.run?.includes('cat reports/merged/report.md >> "$GITHUB_STEP_SUMMARY"'))).toBe(true);
    for (const line of lines) {
      const cmd = line.includes(' verify ') ? verifyCommand() : reportCommand();
      expect(unknownFlags(line, cmd), line).toEqual([]);
    }
  });

  it('gitlab-ci.yml: parallel matrix of 3 shards with artifacts, then merge and verify', async () => {
    const ci = await load('gitlab-ci.yml');
    const shard = ci['tenancy-audit:shard'];
    expect(shard.parallel.matrix[0].SHARD).toEqual(['1', '2', '3']);
    expect(shard.artifacts.paths).toEqual(['reports/shard-$SHARD/']);
    expect(commands(shard.script)[0]).toMatch(/--shard "\$SHARD\/3" --report-dir "reports\/shard-\$SHARD"/);
    const report = ci['tenancy-audit:report'];
    const lines = commands(report.script);
    expect(lines[0]).toMatch(/^npx tenancy-audit report reports\/shard-\* --out reports\/merged/);
    expect(lines[1]).toMatch(/^npx tenancy-audit verify reports\/merged --key \S+/);
    expect(report.artifacts.reports.junit).toBe('reports/merged/junit.xml');
    for (const line of lines) expect(unknownFlags(line, line.includes(' verify ') ? verifyCommand() : reportCommand()), line).toEqual([]);
  });
});
