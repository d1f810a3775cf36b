// Bundles the thin client (client/*.ts) with esbuild into dist/public, next to its CSS.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const outdir = 'dist/public';
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: {
    login: 'client/login.ts',
    viewer: 'client/viewer.ts',
    password: 'client/password.ts',
    admin: 'client/admin.ts',
    security: 'client/security.ts',
  },
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'edge110'],
  minify: true,
  sourcemap: true,
  outdir,
  logLevel: 'warning',
});
copyFileSync('client/styles/kekkai.css', `${outdir}/kekkai.css`);
