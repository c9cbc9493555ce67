import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Suites import the package by name, as a user's suite does; in tests that name means the sources.
    alias: [
      { find: /^tenancy-audit$/, replacement: src('index.ts') },
      { find: /^tenancy-audit\/suite$/, replacement: src('suite/index.ts') },
      { find: /^tenancy-audit\/db$/, replacement: src('db/index.ts') },
    ],
  },
  test: {
    include: ['src/**/*.test.ts', 'suites/**/*.test.ts', 'examples/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
