#!/usr/bin/env node
import { register } from 'tsx/esm/api';

register();
const { boundHeapGrowth } = await import('../src/cli/heap.ts');
boundHeapGrowth();
await import('./demo.ts');
