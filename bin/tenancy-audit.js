#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step), so `npm ci` is the only setup.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
