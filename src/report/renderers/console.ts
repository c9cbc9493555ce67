import type { ChalkInstance } from 'chalk';
import type { ChainResult } from '../../evidence/chain.ts';
import type { VerifyResult } from '../../evidence/verify.ts';
import type { ReportModel } from '../model-types.ts';

/** Lines for the terminal after `tenancy-audit report`. */
export function formatReportSummary(model: ReportModel, c: ChalkInstance): string[] {
  const paint = { pass: c.green.bold, warn: c.yellow.bold, fail: c.red.bold, inconclusive: c.gray.bold }[model.overall.result];
  const lines = [`${paint(model.overall.label)} ${model.overall.headline}`];
  for (const s of model.suites) {
    const mark = { pass: c.green('✓'), warn: c.yellow('!'), fail: c.red('✗'), inconclusive: c.gray('?'), 'not-run': c.gray('-'), 'not-applicable': c.gray('n/a') }[s.status];
    lines.push(`  ${mark} ${s.id.padEnd(26)} ${s.status.padEnd(12)} ${c.dim(s.statusReason)}`);
  }
  for (const f of model.frameworks) {
    lines.push(`  ${f.name}: ${f.counts.effective} effective, ${f.counts.exception} exception, ${f.counts.inconclusive} inconclusive, ${f.counts['not-tested']} not tested${f.outOfScope.length ? `; outside scope: ${f.outOfScope.map((r) => r.id).join(', ')}` : ''}`);
  }
  if (model.integrity.checked && !model.integrity.ok) lines.push(c.red(`  integrity: ${model.integrity.firstBadRecord || model.integrity.problems[0] || 'verification failed'}`));
  return lines;
}

/** Lines for `tenancy-audit verify`. */
export function formatVerifyResult(r: VerifyResult, c: ChalkInstance): string[] {
  const lines: string[] = [];
  lines.push(r.ok ? c.green.bold(`OK ${r.dir}`) : c.red.bold(`FAILED ${r.dir}`));
  lines.push(`  records   ${r.records}${r.truncatedTail ? c.yellow(' (+ truncated tail)') : ''}`);
  lines.push(`  head      ${r.headHash}`);
  lines.push(`  evidence  sha256 ${r.evidenceSha256}`);
  lines.push(`  manifest  ${r.manifest}${r.manifest === 'present' && !r.complete ? c.yellow(' (run incomplete)') : ''}`);
  const sig = {
    valid: c.green(`valid (thumbprint ${r.thumbprint ?? '?'})`),
    invalid: c.red('INVALID'),
    unsigned: 'unsigned',
    'not-checked': c.yellow(`present, not checked (pass --key; claimed thumbprint ${r.thumbprint ?? '?'})`),
  }[r.signature];
  lines.push(`  signature ${sig}`);
  if (r.delivered?.length) lines.push(`  rendered  ${r.delivered.length} files checked (${r.delivered.join(', ')})`);
  if (r.firstBadRecord) lines.push(c.red(`  first bad record: seq ${r.firstBadRecord.seq} (line ${r.firstBadRecord.line}): ${r.firstBadRecord.reason}`));
  for (const p of r.problems) lines.push(c.red(`  - ${p}`));
  for (const w of r.warnings) lines.push(c.yellow(`  ! ${w}`));
  return lines;
}

/** Lines for `tenancy-audit verify --chain`. */
export function formatChainResult(r: ChainResult, c: ChalkInstance): string[] {
  const lines = [r.ok ? c.green.bold(`OK chain of ${r.runs.length} runs in ${r.dir}`) : c.red.bold(`FAILED chain of ${r.runs.length} runs in ${r.dir}`)];
  for (const run of r.runs) lines.push(`  ${run.ok ? c.green('✓') : c.red('✗')} ${run.runId}  head ${run.headHash.slice(0, 16)}…${run.previous ? c.dim(`  ← ${run.previous}`) : ''}`);
  for (const p of r.problems) lines.push(c.red(`  - ${p}`));
  for (const w of r.warnings) lines.push(c.yellow(`  ! ${w}`));
  return lines;
}
