import { describe, expect, it } from 'vitest';
import { TabHealth, type TabHealthState } from '../../../../gateway/browser/tab-health.js';

/** A page whose main thread answers probes only while `answering` is true. */
function fakePage() {
  let now = 0;
  const pending: Array<() => void> = [];
  const page = {
    answering: true,
    dialogOpen: false,
    sent: 0,
    changes: [] as TabHealthState[],
    advance(ms: number, health: TabHealth) {
      // Probe steps happen at the interval; answers arrive at once when the page runs.
      for (let t = 0; t < ms; t += 1000) {
        now += 1000;
        health.tick();
      }
    },
    release() {
      page.answering = true;
      while (pending.length) pending.shift()!();
    },
  };
  const health = new TabHealth(
    () => {
      page.sent++;
      return page.answering ? Promise.resolve() : new Promise<void>((resolve) => pending.push(resolve));
    },
    () => page.dialogOpen,
    (state) => page.changes.push(state),
    { intervalMs: 1000, timeoutMs: 3000, now: () => now },
  );
  return { page, health };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('TabHealth', () => {
  it('stays ok while the page answers, with one probe out at a time', async () => {
    const { page, health } = fakePage();
    for (let i = 0; i < 10; i++) {
      page.advance(1000, health);
      await settle();
    }
    expect(health.state).toBe('ok');
    expect(page.changes).toEqual([]);
    expect(page.sent).toBe(10);
  });

  it('reports a page stuck in a script as unresponsive, then ok when it answers again', async () => {
    const { page, health } = fakePage();
    page.answering = false;
    page.advance(2000, health);
    await settle();
    expect(health.state).toBe('ok');
    expect(page.sent).toBe(1);
    page.advance(2000, health);
    expect(health.state).toBe('unresponsive');
    expect(page.sent).toBe(1);
    page.release();
    await settle();
    expect(health.state).toBe('ok');
    expect(page.changes).toEqual(['unresponsive', 'ok']);
  });

  it('does not call a page that waits in a dialog for the user hung', async () => {
    const { page, health } = fakePage();
    page.answering = false;
    page.advance(1000, health);
    page.dialogOpen = true;
    page.advance(10_000, health);
    expect(health.state).toBe('ok');
    page.dialogOpen = false;
    page.advance(1000, health);
    expect(health.state).toBe('unresponsive');
  });

  it('reports a crash until a new document commits, and sends no probes meanwhile', async () => {
    const { page, health } = fakePage();
    health.crashed();
    const sent = page.sent;
    page.advance(10_000, health);
    expect(page.sent).toBe(sent);
    expect(health.state).toBe('crashed');
    health.newDocument();
    expect(page.changes).toEqual(['crashed', 'ok']);
  });

  it('probes only between start and stop', () => {
    let probes = 0;
    const health = new TabHealth(async () => void probes++, () => false, () => undefined, { intervalMs: 10, timeoutMs: 100 });
    health.start();
    health.stop();
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(probes).toBe(0);
        resolve();
      }, 50),
    );
  });
});
