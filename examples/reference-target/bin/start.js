#!/usr/bin/env node
// Runs the reference target straight from TypeScript sources (see ../README.md).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
