/** Locations inside the installed package (works from dist/ and from source). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kekkai') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('kekkai package root not found');
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();
/** The built client (npm run build:client). */
export const PUBLIC_DIR = path.join(PACKAGE_ROOT, 'dist', 'public');
