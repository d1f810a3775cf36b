#!/usr/bin/env node
// Entry point of the `kekkai` command: runs the compiled CLI from dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/gateway/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('kekkai is not built yet: run "npm run build" (scripts/install.sh does it for you).');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
