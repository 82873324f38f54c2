#!/usr/bin/env node
// The package bin: runs the compiled CLI. `npm install` builds it (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('higgsbot is not built yet: run `npm install` (or `npm run build`) in the project folder first.');
  process.exit(1);
}
await import(entry.href);
