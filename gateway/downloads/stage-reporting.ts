/**
 * The sanitizer is one call; the download panel wants "scanning" then "sanitizing".
 * The pipeline scans before it reconstructs, so the end of the first clean scan is
 * the moment reconstruction starts. This wraps the scanner per job to report it.
 */
import { sanitize, type FilePolicy, type SanitizeInput, type SanitizerDeps, type Verdict } from '../../sanitizer/index.js';

export type JobStage = 'scanning' | 'sanitizing';

/** The sanitize function the DownloadManager calls. */
export type SanitizeFn = (input: SanitizeInput, policy: FilePolicy, onStage: (stage: JobStage) => void) => Promise<Verdict>;

/** A {@link SanitizeFn} over the real pipeline and engines (e.g. createDefaultDeps()). */
export function createSanitizeFn(deps: SanitizerDeps): SanitizeFn {
  return (input, policy, onStage) => {
    let scans = 0;
    const scanner = {
      scan: async (bytes: Uint8Array) => {
        const r = await deps.scanner.scan(bytes);
        if (++scans === 1 && r.status === 'clean') onStage('sanitizing');
        return r;
      },
    };
    return sanitize(input, policy, { ...deps, scanner });
  };
}
