import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDelivered, DELIVERED_FILE, writeDelivered } from './delivered.ts';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-delivered-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const facts = { runId: 'r', headHash: 'h', evidenceSha256: 'e' };

describe('checkDelivered', () => {
  it('vouches for the rendered files it lists and names one changed after rendering', async () => {
    await fs.writeFile(path.join(dir, 'report.html'), '<h1>FAIL</h1>');
    await writeDelivered(dir, facts, ['report.html']);
    expect(await checkDelivered(dir, 'h')).toEqual({ problems: [], checked: ['report.html'] });
    await fs.writeFile(path.join(dir, 'report.html'), '<h1>PASS</h1>');
    expect((await checkDelivered(dir, 'h')).problems.join('\n')).toMatch(/report\.html was changed after it was rendered/);
  });

  it('names a rendered file it does not list, and every rendered file when delivered.json is gone', async () => {
    await fs.writeFile(path.join(dir, 'report.html'), '<h1>FAIL</h1>');
    await writeDelivered(dir, facts, ['report.html']);
    await fs.writeFile(path.join(dir, 'report.md'), '## PASS');
    expect((await checkDelivered(dir, 'h')).problems).toEqual([expect.stringMatching(/^report\.md is not listed in delivered\.json/)]);
    await fs.rm(path.join(dir, DELIVERED_FILE));
    expect((await checkDelivered(dir, 'h')).problems).toEqual([expect.stringMatching(/^report\.html is not listed/), expect.stringMatching(/^report\.md is not listed/)]);
  });
});
