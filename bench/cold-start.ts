/**
 * `npm run bench:cold-start` (node --import tsx/esm bench/cold-start.ts [--runs 10] [--warmup 1]).
 *
 * How long the installed CLI takes to answer `--version` against a bare `node -e 0`: both spawned `--runs` times,
 * interleaved (after `--warmup` unmeasured runs of each, so the file cache is warm for both), wall time from spawn
 * to exit. The CLI starts from the compiled JavaScript (`bin/tenancy-audit.js` → `dist/src/cli/bin.js`; build it
 * with `npm run build` first), so this is what a user's `npx tenancy-audit` pays before any work.
 *
 * Peak RSS: measured in separate runs (also interleaved), each child started with a preloaded module that writes
 * `process.resourceUsage().maxRSS` (the kernel's high-water mark of the process, Linux `ru_maxrss`) when it exits;
 * /usr/bin/time is not needed.
 *
 * Goal: median(--version) / median(node -e 0) <= 3. The lines are also written to bench/results/cold-start.md. The
 * last line is exactly `cold-start ratio (tenancy-audit --version / node -e 0): <x.xx>`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number`);
  return value;
};
const RUNS = Math.max(1, arg('runs', 10));
const WARMUP = arg('warmup', 1);

const printed: string[] = [];
/** Prints a line and keeps it for bench/results/cold-start.md. */
const say = (line: string) => {
  printed.push(line);
  console.log(line);
};
const mb = (kilobytes: number) => `${(kilobytes / 1024).toFixed(1)} MB`;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
if (!fs.existsSync(path.join(root, 'dist', 'src', 'cli', 'bin.js'))) {
  throw new Error('dist/src/cli/bin.js is missing: run `npm run build` first (the CLI starts from the compiled JavaScript)');
}

// The children get this environment without loaders (this script itself runs under tsx) or npm's variables.
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_OPTIONS' && !key.startsWith('npm_')));
/** Preloaded with `--import` in the RSS runs: writes the process's peak RSS (kB) to the file named in its env. */
const RSS_HOOK = `data:text/javascript,${encodeURIComponent(
  "import fs from 'node:fs'; process.on('exit', () => fs.writeFileSync(process.env.TA_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));",
)}`;

interface Subject {
  label: string;
  args: string[];
  /** Checks the child's answer: a broken build must not be measured as a fast one. */
  check(stdout: string): boolean;
  times: number[];
  rss: number[];
}
const subjects: Subject[] = [
  { label: 'node -e 0', args: ['-e', '0'], check: (out) => out === '', times: [], rss: [] },
  { label: 'tenancy-audit --version', args: ['bin/tenancy-audit.js', '--version'], check: (out) => out.trim() === version, times: [], rss: [] },
];

function spawnOnce(subject: Subject, rssFile?: string): number {
  const args = rssFile ? ['--import', RSS_HOOK, ...subject.args] : subject.args;
  const t0 = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: root, env: rssFile ? { ...env, TA_BENCH_RSS_FILE: rssFile } : env, encoding: 'utf8', timeout: 60_000 });
  const elapsed = performance.now() - t0;
  if (child.status !== 0 || !subject.check(child.stdout)) {
    throw new Error(`${subject.label} failed (status ${child.status}, signal ${child.signal}):\n${child.stdout}${child.stderr}${child.error ? String(child.error) : ''}`);
  }
  return elapsed;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-cold-start-'));
try {
  say(`cold start: ${RUNS} runs of each (after ${WARMUP} warm-up run${WARMUP === 1 ? '' : 's'}), interleaved (node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg()[0]!.toFixed(2)})`);
  for (let i = 0; i < WARMUP; i++) for (const subject of subjects) spawnOnce(subject);
  for (let round = 0; round < RUNS; round++) {
    // Alternate which one goes first, so neither always follows the other.
    for (const subject of round % 2 ? [...subjects].reverse() : subjects) subject.times.push(spawnOnce(subject));
  }
  for (let round = 0; round < RUNS; round++) {
    for (const subject of round % 2 ? [...subjects].reverse() : subjects) {
      const file = path.join(work, 'rss');
      spawnOnce(subject, file);
      subject.rss.push(Number(fs.readFileSync(file, 'utf8')));
    }
  }
  for (const s of subjects) {
    const sorted = [...s.times].sort((a, b) => a - b);
    say(`  ${s.label.padEnd(24)} median ${ms(median(s.times))} (min ${ms(sorted[0]!)}, max ${ms(sorted.at(-1)!)}); peak RSS median ${mb(median(s.rss))}, max ${mb(Math.max(...s.rss))}`);
  }
  const [bare, cli] = subjects as [Subject, Subject];
  const ratio = median(cli.times) / median(bare.times);
  say(`tenancy-audit --version costs ${ms(median(cli.times) - median(bare.times))} over a bare node start; goal: ratio <= 3: ${ratio <= 3 ? 'met' : 'NOT met'}`);
  const last = `cold-start ratio (tenancy-audit --version / node -e 0): ${ratio.toFixed(2)}`;
  const results = path.join(here, 'results', 'cold-start.md');
  fs.writeFileSync(results, `# npm run bench:cold-start — ${new Date().toISOString()}\n\n\`\`\`\n${[...printed, last].join('\n')}\n\`\`\`\n`);
  console.log(`written to ${path.relative(process.cwd(), results)}`);
  console.log(last);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
