import { describe, expect, it } from 'vitest';
import { createSanitizeFn, type JobStage } from '../../../../gateway/downloads/stage-reporting.js';
import { DEFAULT_FILE_POLICY, type ScanResult } from '../../../../sanitizer/index.js';

const deps = (result: ScanResult) => ({ scanner: { scan: async () => result }, rasterizer: null as never, officeConverter: null });

describe('createSanitizeFn', () => {
  it('reports "sanitizing" once the first scan is clean, then runs the real pipeline', async () => {
    const stages: JobStage[] = [];
    const v = await createSanitizeFn(deps({ status: 'clean' }))({ name: 'memo.txt', bytes: new TextEncoder().encode('受付は9時から\n') }, DEFAULT_FILE_POLICY, (s) => stages.push(s));
    expect(stages).toEqual(['sanitizing']);
    expect(v).toMatchObject({ verdict: 'sanitized', output: { name: 'memo.txt' } });
  });

  it('does not report "sanitizing" when the scan blocks', async () => {
    const stages: JobStage[] = [];
    const v = await createSanitizeFn(deps({ status: 'unavailable', detail: 'clamd down' }))({ name: 'memo.txt', bytes: new TextEncoder().encode('hello\n') }, DEFAULT_FILE_POLICY, (s) => stages.push(s));
    expect(stages).toEqual([]);
    expect(v).toMatchObject({ verdict: 'blocked', reason: 'scanner-unavailable' });
  });
});
