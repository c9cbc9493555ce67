import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TenancyAuditError } from '../core/errors.ts';
import { loadSuites } from './load.ts';

describe('loadSuites', () => {
  it('tells the user to install the package when a suite cannot resolve its import of it; other load failures get no such hint', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-suite-load-'));
    try {
      await fs.writeFile(path.join(dir, 'acme.a.mjs'), "import { defineSuite } from 'tenancy-audit-not-installed/suite';\nexport default defineSuite({});\n");
      await fs.writeFile(path.join(dir, 'acme.b.mjs'), "throw new Error('boom');\n");
      const failure = async (name: string) => {
        const only = await fs.mkdtemp(path.join(os.tmpdir(), 'ta-suite-one-'));
        await fs.copyFile(path.join(dir, name), path.join(only, name));
        return loadSuites([only]).then(() => undefined, (e: unknown) => e as TenancyAuditError).finally(() => fs.rm(only, { recursive: true, force: true }));
      };
      const unresolved = await failure('acme.a.mjs');
      expect(unresolved?.code).toBe('TA_SUITE_INVALID');
      expect(unresolved?.hint).toMatch(/npm install --save-dev tenancy-audit/);
      const broken = await failure('acme.b.mjs');
      expect(broken?.code).toBe('TA_SUITE_INVALID');
      expect(broken?.message).toMatch(/boom/);
      expect(broken?.hint).toBeUndefined();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
