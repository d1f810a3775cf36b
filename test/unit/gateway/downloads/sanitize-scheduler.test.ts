import { describe, expect, it } from 'vitest';
import { SanitizeScheduler, type ReleaseSlot } from '../../../../gateway/downloads/sanitize-scheduler.js';

/** A fake slow job: starts when the scheduler lets it, ends when the test says so. */
interface FakeJob {
  name: string;
  positions: number[];
  release?: ReleaseSlot;
}

function enqueue(s: SanitizeScheduler, sessionId: string, name: string, started: string[]): FakeJob {
  const job: FakeJob = { name, positions: [] };
  void s.acquire(sessionId, (p) => job.positions.push(p)).then((release) => {
    job.release = release;
    started.push(name);
  });
  return job;
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SanitizeScheduler (issue 9, item 8)', () => {
  it('one slot: user B\'s job starts before user A\'s second of three slow jobs', async () => {
    const s = new SanitizeScheduler({ concurrency: 1 });
    const started: string[] = [];
    const [a1, a2, a3] = ['A1', 'A2', 'A3'].map((n) => enqueue(s, 'A', n, started));
    const b1 = enqueue(s, 'B', 'B1', started);
    await settle();
    expect(started).toEqual(['A1']);
    // Positions say the truth: B1 goes next, then A's.
    expect(b1.positions.at(-1)).toBe(1);
    expect(a2!.positions.at(-1)).toBe(2);
    expect(a3!.positions.at(-1)).toBe(3);

    a1!.release!();
    await settle();
    expect(started).toEqual(['A1', 'B1']);
    expect(a2!.positions.at(-1)).toBe(1);
    expect(a3!.positions.at(-1)).toBe(2);

    b1.release!();
    await settle();
    a2!.release!();
    await settle();
    expect(started).toEqual(['A1', 'B1', 'A2', 'A3']);
    a3!.release!();
    expect(s.runningCount()).toBe(0);
    expect(s.waiting).toBe(0);
  });

  it('two slots: one session keeps a slot free, so another user\'s job starts at once', async () => {
    const s = new SanitizeScheduler({ concurrency: 2 });
    const started: string[] = [];
    const [a1] = ['A1', 'A2', 'A3'].map((n) => enqueue(s, 'A', n, started));
    await settle();
    expect(started).toEqual(['A1']);
    expect(s.runningCount('A')).toBe(1);
    enqueue(s, 'B', 'B1', started);
    await settle();
    expect(started).toEqual(['A1', 'B1']);
    a1!.release!();
    await settle();
    expect(started).toEqual(['A1', 'B1', 'A2']);
  });

  it('serves three sessions in turn and never exceeds the slots', async () => {
    const s = new SanitizeScheduler({ concurrency: 2, perSession: 2 });
    const started: string[] = [];
    const jobs = [
      ...['A1', 'A2', 'A3', 'A4'].map((n) => enqueue(s, 'A', n, started)),
      ...['B1', 'B2'].map((n) => enqueue(s, 'B', n, started)),
      enqueue(s, 'C', 'C1', started),
    ];
    for (let i = 0; i < 10 && started.length < jobs.length; i++) {
      await settle();
      expect(s.runningCount()).toBeLessThanOrEqual(2);
      const running = jobs.filter((j) => j.release && started.includes(j.name));
      running[0]?.release?.();
      running[0]!.release = undefined;
    }
    expect(started).toEqual(['A1', 'A2', 'B1', 'C1', 'A3', 'B2', 'A4']);
  });

  it('a second release of the same slot changes nothing', async () => {
    const s = new SanitizeScheduler({ concurrency: 1 });
    const started: string[] = [];
    const a = enqueue(s, 'A', 'A1', started);
    enqueue(s, 'B', 'B1', started);
    enqueue(s, 'C', 'C1', started);
    await settle();
    a.release!();
    a.release!();
    await settle();
    expect(started).toEqual(['A1', 'B1']);
    expect(s.runningCount()).toBe(1);
  });
});
