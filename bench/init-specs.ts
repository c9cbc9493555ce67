/**
 * `node --import tsx/esm bench/init-specs.ts`: how long `init` takes on the large real-world descriptions kept as
 * test data (test/data/openapi/), each measured three times in this process after one warm-up; the goal is under
 * 10 s each. Prints one line per description and writes bench/results/init-specs.md. No request leaves the machine:
 * the base URL is a closed local port and the tenants' tokens come from the reference target's test issuer.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { validate } from '@readme/openapi-parser';
import { initConfig } from '../src/index.ts';
import { loadTestIssuer } from '../examples/reference-target/src/issuer.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.resolve(here, '../test/data/openapi');
const SPECS = ['github.json.gz', 'stripe.json.gz', 'jira.json.gz'];

const issuer = await loadTestIssuer();
process.env['TA_BENCH_ACME'] = await issuer.mint({ tenant_id: 'acme' });
process.env['TA_BENCH_GLOBEX'] = await issuer.mint({ tenant_id: 'globex' });
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-bench-init-'));
const rows: string[] = [];
try {
  for (const name of SPECS) {
    const file = path.join(dir, name.replace(/\.gz$/, ''));
    const bytes = gunzipSync(await fs.readFile(path.join(DATA, name)));
    await fs.writeFile(file, bytes);
    const once = async () => {
      const t0 = performance.now();
      const result = await initConfig({ openapi: file, baseUrl: 'http://127.0.0.1:9', tenants: ['acme=env:TA_BENCH_ACME', 'globex=env:TA_BENCH_GLOBEX'] });
      return { seconds: (performance.now() - t0) / 1000, result };
    };
    await once();
    const times: number[] = [];
    let summary = '';
    for (let i = 0; i < 3; i++) {
      const { seconds, result } = await once();
      times.push(seconds);
      summary = `${result.summary.operations} operations, ${result.summary.fixtures} fixtures`;
    }
    const median = times.sort((a, b) => a - b)[1]!;
    // Baseline, same process: what validating the description alone costs (any OpenAPI tool pays that).
    const baselines: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await validate(JSON.parse(bytes.toString('utf8')));
      baselines.push((performance.now() - t0) / 1000);
    }
    const baseline = baselines.sort((a, b) => a - b)[1]!;
    const line = `| ${name.replace(/\.gz$/, '')} | ${(bytes.length / 1e6).toFixed(1)} MB | ${summary} | ${median.toFixed(2)} s | ${baseline.toFixed(2)} s | ${(median / baseline).toFixed(2)} | ${median < 10 ? 'yes' : 'NO'} |`;
    rows.push(line);
    console.log(`init ${name}: median ${median.toFixed(2)} s of 3 (${summary}); validation alone ${baseline.toFixed(2)} s, ratio ${(median / baseline).toFixed(2)}`);
  }
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}
const report = [
  '# `tenancy-audit init` on large real-world descriptions',
  '',
  `Measured ${new Date().toISOString()} on ${os.cpus().length} CPU(s), Node ${process.version}: median of 3 runs after a warm-up, in one process (validation, dereferencing, inference, YAML).`,
  '',
  '| description | size | generated | init (median) | validation alone (baseline) | ratio | under 10 s |',
  '|---|---|---|---|---|---|---|',
  ...rows,
  '',
].join('\n');
await fs.mkdir(path.join(here, 'results'), { recursive: true });
await fs.writeFile(path.join(here, 'results', 'init-specs.md'), report);
