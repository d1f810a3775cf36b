/**
 * `<dataDir>/run/`: what a running gateway writes only for itself — Chromium's profile
 * (cache, cookies of the incognito contexts' parent profile, crash-report database),
 * Chromium's temporary files and the sanitizer's work directories with hostile bytes.
 * It lives under the data directory (mode 0700, the gateway's user) instead of a
 * shared /tmp, is emptied at start (what a killed run left behind) and removed at stop.
 *
 * One gateway per data directory: a second `kekkai serve` on the same directory
 * would empty the first one's run directory.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export interface RunDir {
  readonly root: string;
  /** Chromium's --user-data-dir. */
  readonly chromiumProfile: string;
  /** HOME, TMPDIR and XDG directories of Chromium. */
  readonly chromiumHome: string;
  /** Parent of the sanitizer's per-job work directories. */
  readonly sanitizer: string;
  /** Removes the whole run directory (at stop; never throws). */
  remove(): void;
}

export function runDirPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'run');
}

/** Empties `<dataDir>/run` (left-overs of a killed run) and creates its parts. */
export function prepareRunDir(dataDir: string): RunDir {
  const root = runDirPath(dataDir);
  rmSync(root, { recursive: true, force: true });
  const dirs = {
    chromiumProfile: path.join(root, 'chromium', 'profile'),
    chromiumHome: path.join(root, 'chromium', 'home'),
    sanitizer: path.join(root, 'sanitizer'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    root,
    ...dirs,
    remove: () => {
      try {
        rmSync(root, { recursive: true, force: true, maxRetries: 2 });
      } catch {
        // Best effort: the next start empties it again.
      }
    },
  };
}
