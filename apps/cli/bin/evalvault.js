#!/usr/bin/env node
// The evalvault command. The code is TypeScript compiled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';
const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('evalvault: not built yet: run "npm run build" in the repository first');
  process.exit(2);
}
await import(entry.href);
