import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClientMessage } from '../../../../protocol/index.js';
import { coalesce, InputQueueRegistry, ViewerInputQueue, type DropReason, type InputQueueLimits, type StallCounter } from '../../../../gateway/http/viewer-input-queue.js';

const move = (x: number, buttons = 0): ClientMessage => ({ type: 'pointer', action: 'move', x, y: 10, button: 'none', buttons, clickCount: 0, modifiers: 0 });
const down = (x: number): ClientMessage => ({ type: 'pointer', action: 'down', x, y: 10, button: 'left', buttons: 1, clickCount: 1, modifiers: 0 });
const wheel = (deltaY: number, modifiers = 0): ClientMessage => ({ type: 'wheel', x: 5, y: 5, deltaX: 0, deltaY, modifiers });
const paste = (n: number): ClientMessage => ({ type: 'paste', text: 'x'.repeat(n) });
const key = (k: string): ClientMessage => ({ type: 'key', action: 'down', key: k, code: `Key${k.toUpperCase()}`, keyCode: 65, modifiers: 0 });

/** A queue whose `run` blocks until the test releases it, recording what ran. */
function blockedQueue(limits: Partial<InputQueueLimits> = {}, stall: StallCounter = { count: 0, generation: 0 }) {
  const ran: ClientMessage[] = [];
  const drops: DropReason[] = [];
  const errors: unknown[] = [];
  const resolvers: Array<() => void> = [];
  const queue = new ViewerInputQueue({
    run: (msg) => {
      ran.push(msg);
      return new Promise<void>((resolve) => resolvers.push(resolve));
    },
    onError: (err) => errors.push(err),
    onDrop: (reason) => drops.push(reason),
    stall,
    limits,
  });
  /** Lets the most recent call finish; `resolvers[i]` finishes the i-th. */
  return { queue, ran, drops, errors, stall, resolvers, release: () => resolvers.at(-1)?.() };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('viewer input queue', () => {
  it('runs messages in order, one at a time', async () => {
    const q = blockedQueue();
    q.queue.push(key('a'), 50);
    q.queue.push(key('b'), 50);
    expect(q.ran.map((m) => (m as { key: string }).key)).toEqual(['a']);
    q.release();
    await vi.waitFor(() => expect(q.ran).toHaveLength(2));
    expect((q.ran[1] as { key: string }).key).toBe('b');
  });

  it('bounds the queue by count and drops what does not fit', () => {
    const q = blockedQueue({ maxItems: 3 });
    q.queue.push(key('a'), 10); // running
    for (const k of ['b', 'c', 'd', 'e', 'f']) q.queue.push(key(k), 10);
    expect(q.queue.stats()).toMatchObject({ queued: 3, queuedBytes: 30, dropped: 2 });
    expect(q.drops).toEqual(['overflow', 'overflow']);
  });

  it('bounds the queue by bytes (a flood of large pastes)', () => {
    const q = blockedQueue({ maxBytes: 300_000 });
    for (let i = 0; i < 50; i++) q.queue.push(paste(100), 100_010);
    const stats = q.queue.stats();
    expect(stats.queuedBytes).toBeLessThanOrEqual(300_000);
    expect(stats.queued).toBe(2);
    expect(stats.dropped).toBe(47);
  });

  it('gives the bytes back as messages run', async () => {
    const q = blockedQueue();
    q.queue.push(paste(10), 1000);
    q.queue.push(paste(10), 2000);
    q.queue.push(paste(10), 3000);
    expect(q.queue.stats().queuedBytes).toBe(5000);
    q.release();
    await vi.waitFor(() => expect(q.queue.stats().queuedBytes).toBe(3000));
    q.release();
    await vi.waitFor(() => expect(q.queue.stats().queuedBytes).toBe(0));
  });

  it('merges pointer moves waiting in the queue, keeping the latest position', async () => {
    const q = blockedQueue({ maxItems: 4 });
    q.queue.push(down(0), 100); // running
    for (let x = 1; x <= 1000; x++) q.queue.push(move(x), 100);
    expect(q.queue.stats()).toMatchObject({ queued: 1, queuedBytes: 100, dropped: 0, coalesced: 999 });
    q.release();
    await vi.waitFor(() => expect(q.ran).toHaveLength(2));
    expect(q.ran[1]).toMatchObject({ action: 'move', x: 1000 });
  });

  it('does not merge across a click or a change of buttons', () => {
    expect(coalesce(move(1), move(2))).toMatchObject({ x: 2 });
    expect(coalesce(move(1, 0), move(2, 1))).toBeNull();
    expect(coalesce(down(1), move(2))).toBeNull();
    expect(coalesce(move(1), down(2))).toBeNull();
    expect(coalesce(key('a'), key('a'))).toBeNull();
  });

  it('sums wheel deltas waiting in the queue, within the protocol bound', () => {
    expect(coalesce(wheel(100), wheel(-30))).toMatchObject({ deltaY: 70 });
    expect(coalesce(wheel(100, 0), wheel(100, 2))).toBeNull();
    expect(coalesce(wheel(9_000), wheel(2_000))).toBeNull();
    const q = blockedQueue();
    q.queue.push(key('a'), 10);
    for (let i = 0; i < 100; i++) q.queue.push(wheel(10), 80);
    expect(q.queue.stats()).toMatchObject({ queued: 1, queuedBytes: 80 });
  });

  it('drops everything queued on close and refuses more', async () => {
    const q = blockedQueue();
    for (let i = 0; i < 10; i++) q.queue.push(paste(10), 1000);
    q.queue.close();
    expect(q.queue.stats()).toMatchObject({ queued: 0, queuedBytes: 0, closed: true });
    expect(q.queue.push(key('z'), 10)).toBe('dropped');
    q.release();
    await new Promise((r) => setTimeout(r, 10));
    expect(q.ran).toHaveLength(1);
  });

  it('goes on after a message that hangs past the timeout, and counts it as stalled until it settles', async () => {
    vi.useFakeTimers();
    const q = blockedQueue({ timeoutMs: 3000 });
    q.queue.push(key('a'), 10);
    q.queue.push(key('b'), 10);
    await vi.advanceTimersByTimeAsync(2999);
    expect(q.ran).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(q.ran).toHaveLength(2);
    expect(q.stall.count).toBe(1);
  });

  it('drops page input while the session has too many stalled calls, but still runs navigation', async () => {
    vi.useFakeTimers();
    const stall = { count: 2, generation: 0 };
    const q = blockedQueue({ maxStalled: 2 }, stall);
    q.queue.push(paste(10), 1000);
    q.queue.push(key('a'), 10);
    q.queue.push({ type: 'navigate', url: 'https://example.jp/' }, 50);
    await vi.advanceTimersByTimeAsync(0);
    expect(q.ran).toEqual([{ type: 'navigate', url: 'https://example.jp/' }]);
    expect(q.drops).toEqual(['stalled', 'stalled']);
    // The navigation starts the count afresh: input to the new page goes through.
    expect(stall.count).toBe(0);
    q.release();
    q.queue.push(key('b'), 10);
    await vi.advanceTimersByTimeAsync(0);
    expect(q.ran.at(-1)).toMatchObject({ type: 'key', key: 'b' });
  });

  it('stops counting a stalled call down once the count started afresh', async () => {
    vi.useFakeTimers();
    const q = blockedQueue({ timeoutMs: 100 });
    q.queue.push(key('a'), 10);
    await vi.advanceTimersByTimeAsync(100);
    expect(q.stall.count).toBe(1);
    q.queue.push({ type: 'tab', action: 'new' }, 30);
    await vi.advanceTimersByTimeAsync(0);
    expect(q.ran).toHaveLength(2);
    expect(q.stall.count).toBe(0);
    q.resolvers[0]!();
    await vi.advanceTimersByTimeAsync(0);
    expect(q.stall.count).toBe(0);
  });

  it('reports errors of messages that fail in time, not of late ones', async () => {
    const errors: unknown[] = [];
    const queue = new ViewerInputQueue({
      run: () => Promise.reject(new Error('boom')),
      onError: (err) => errors.push(err),
      onDrop: () => undefined,
      stall: { count: 0, generation: 0 },
    });
    queue.push(key('a'), 10);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
  });

  it('sums what the open connections hold, and forgets closed ones', () => {
    const registry = new InputQueueRegistry();
    const a = blockedQueue();
    const b = blockedQueue();
    registry.add(a.queue);
    registry.add(b.queue);
    a.queue.push(key('a'), 10);
    a.queue.push(paste(10), 500);
    b.queue.push(key('a'), 10);
    b.queue.push(paste(10), 700);
    expect(registry.stats()).toEqual({ connections: 2, queued: 2, queuedBytes: 1200 });
    registry.delete(a.queue);
    expect(registry.stats()).toEqual({ connections: 1, queued: 1, queuedBytes: 700 });
  });
});
