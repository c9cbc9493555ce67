import chalk from 'chalk';
import type { AuditEvent } from '../../core/events.ts';
import type { Verdict } from '../../core/verdict.ts';
import { politenessLine } from '../views/methodology.ts';
import { tokenCommandOf, withTokenCommand } from '../curl.ts';
import { groupByRootCause, rootCauseTitle } from '../views/finding-groups.ts';
import { verdictRank } from '../../core/verdict.ts';

const COLOR: Record<Verdict, (s: string) => string> = {
  pass: chalk.green,
  'closed-by-error': chalk.yellow,
  'soft-fail': chalk.magenta,
  'fail-open': chalk.red,
  leak: chalk.bgRed.white,
  inconclusive: chalk.cyan,
};

/** The verdict's name coloured as the console reporter shows it (plain text where chalk detects no colour support). */
export function paint(verdict: Verdict): string {
  return COLOR[verdict](verdict);
}

/** Root causes printed in full; past this the console counts them and points at the evidence. */
const MAX_PRINTED_GROUPS = 40;

type FindingEvent = Extract<AuditEvent, { type: 'finding' }>;

/** One block per root cause, worst first: what went wrong, where, one minimal counterexample, replay and remediation. */
function printGroups(line: (text: string) => void, findings: readonly FindingEvent[], dir: string): void {
  const groups = groupByRootCause(findings.map((f) => ({ ...f, mutation: { id: f.mutation, ...(f.mutationTitle ? { title: f.mutationTitle } : {}), ...(f.channel ? { channel: f.channel } : {}) }, event: f })));
  groups.slice(0, MAX_PRINTED_GROUPS).forEach((group, i) => {
    const first = group[0]!;
    const worst = group.reduce((w, g) => (verdictRank(g.verdict) > verdictRank(w) ? g.verdict : w), first.verdict);
    const operations = [...new Set(group.map((g) => g.operation).filter(Boolean))];
    line('');
    line(`${paint(worst)} ${chalk.bold(`G-${String(i + 1).padStart(2, '0')} ${rootCauseTitle({ verdict: worst, mutation: first.mutation }, Math.max(1, operations.length), first.path === 'db' ? 'object' : 'operation')}`)}`);
    line(`  ${first.suite} · ${first.path} · ${first.mutation.id}${first.mutation.channel ? ` via ${first.mutation.channel}` : ''}`);
    line(`  affected: ${operations.join(', ') || '(no operation)'}`);
    line(`  ${first.event.detail}`);
    line(chalk.dim(`  minimal counterexample on ${first.operation || 'the target'} (${first.event.shrinks} shrink steps):`));
    for (const step of first.event.steps) {
      line(`  ${step.n}. ${step.title}${step.response ? ` → HTTP ${step.response.status}` : step.note ? ` → ${step.note}` : ''}`);
      if (step.curl) line(chalk.dim(withTokenCommand(step.curl, tokenCommandOf(first.event.replay)).split('\n').map((l) => `     ${l}`).join('\n')));
    }
    line(`  replay: ${first.event.replay}`);
    if (first.event.remediation) line(chalk.green(`  remediation: ${first.event.remediation}`));
  });
  if (groups.length > MAX_PRINTED_GROUPS) line(chalk.dim(`… ${groups.length - MAX_PRINTED_GROUPS} more root causes in ${dir}/evidence.jsonl`));
}

/**
 * Console reporter for {@link AuditEvent}s (HTTP and data-layer runs alike): a live progress line on a TTY,
 * plain lines under CI, each finding with its counterexample, then a table of suites.
 *
 * @example
 * await run({ config: 'tenancy-audit.config.yaml', onEvent: createTerminalReporter({ live: process.stdout.isTTY }) });
 */
export function createTerminalReporter(options: { live: boolean; write?: (text: string) => void }) {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const line = (text: string) => write(`${text}\n`);
  const counts: Partial<Record<Verdict, number>> = {};
  let probes = 0;
  let started = performance.now();
  let lastDraw = 0;
  const suiteRows: { suite: string; paths: readonly string[]; verdict: Verdict; counts: Partial<Record<Verdict, number>>; reason?: string }[] = [];
  const findings: FindingEvent[] = [];
  const notApplicableRows: { suite: string; paths: readonly string[]; reason: string }[] = [];
  let dir = '';

  const progress = (requests: number) => {
    const now = performance.now();
    if (!options.live || now - lastDraw < 100) return;
    lastDraw = now;
    const rate = requests / Math.max(0.001, (now - started) / 1000);
    const summary = (Object.entries(counts) as [Verdict, number][]).map(([v, n]) => `${paint(v)} ${n}`).join('  ');
    write(`\r\x1b[2K  ${probes} probes · ${rate.toFixed(0)} req/s · ${summary}`);
  };
  const clear = () => options.live && write('\r\x1b[2K');

  return (event: AuditEvent): void => {
    switch (event.type) {
      case 'run-start':
        started = performance.now();
        line(chalk.bold(`tenancy-audit ${event.kind === 'db' ? 'db' : 'run'} ${event.runId}`));
        line(`  target ${event.target} · seed ${event.seed}${event.suites.length ? ` · suites ${event.suites.map((s) => s.id).join(', ')}` : ''}`);
        line(`  evidence ${event.dir}`);
        dir = event.dir;
        break;
      case 'log':
        clear();
        line(`  ${event.line}`);
        break;
      case 'phase':
        clear();
        if (!options.live || event.name !== 'probes') line(chalk.dim(`· ${event.name}${event.detail ? `: ${event.detail}` : ''}`));
        break;
      case 'control':
        if (event.verdict !== 'pass') {
          clear();
          line(`  ${paint(event.verdict)} positive control ${event.operation} as ${event.tenant}: ${event.detail}`);
        }
        break;
      case 'probe':
        probes++;
        counts[event.verdict] = (counts[event.verdict] ?? 0) + 1;
        progress(event.requests);
        if (!options.live && probes % 500 === 0) line(chalk.dim(`  ${probes} probes`));
        break;
      case 'finding':
        // Held until the end: one block per root cause (suite × mutation × channel), however many operations show it.
        findings.push(event);
        break;
      case 'heartbeat':
        // On a TTY the live line shows progress already; under CI this line says the run is alive and what it waits for.
        if (!options.live) line(chalk.dim(`  … ${event.probes} probes, ${event.findings} finding${event.findings === 1 ? '' : 's'} so far${event.waitingFor ? `; waiting for ${event.waitingFor}` : ''}`));
        break;
      case 'suite-not-applicable':
        notApplicableRows.push(event);
        break;
      case 'suite-end':
        suiteRows.push({ suite: event.suite, paths: event.paths, verdict: event.verdict, counts: event.counts, ...(event.reason ? { reason: event.reason } : {}) });
        break;
      case 'run-end': {
        clear();
        printGroups(line, findings, dir);
        line('');
        const width = Math.max(...suiteRows.map((r) => r.suite.length), ...notApplicableRows.map((r) => r.suite.length), 5);
        line(chalk.bold(`${'suite'.padEnd(width)}  ${'paths'.padEnd(14)}  verdict          probes by verdict`));
        for (const row of suiteRows) {
          const detail = (Object.entries(row.counts) as [Verdict, number][]).map(([v, n]) => `${v} ${n}`).join(', ') || 'no probes';
          const paths = row.paths.join(',').padEnd(14);
          line(`${row.suite.padEnd(width)}  ${paths}  ${paint(row.verdict).padEnd(16 + (paint(row.verdict).length - row.verdict.length))} ${detail}`);
          if (row.reason && row.verdict !== 'pass') line(chalk.dim(`${' '.repeat(width + 2)}${row.reason}`));
        }
        for (const row of notApplicableRows) line(chalk.dim(`${row.suite.padEnd(width)}  ${row.paths.join(',').padEnd(14)}  not applicable (declared: ${row.reason})`));
        if (event.politeness && event.politeness.refused > 0) line(chalk.yellow(politenessLine(event.politeness)));
        if (!event.complete) line(chalk.yellow(`run incomplete: ${event.incompleteReason ?? 'stopped early'}`));
        if (event.hint) line(chalk.dim(`hint: ${event.hint}`));
        line(`exit ${event.exitCode}`);
        break;
      }
    }
  };
}
