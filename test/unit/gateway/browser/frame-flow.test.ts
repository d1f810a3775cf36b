import { describe, expect, it } from 'vitest';
import { FrameFlow, type SourceFrame } from '../../../../gateway/browser/frame-flow.js';

function frame(name: string, acked: string[]): SourceFrame & { name: string } {
  return { name, data: Buffer.from(name), width: 1, height: 1, captureTime: 0, ackSource: () => acked.push(name) };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('frame flow control', () => {
  it('sends the first frame at once and holds Chromium\'s ack until the client acks', async () => {
    const sent: Array<[string, number]> = [];
    const acked: string[] = [];
    const flow = new FrameFlow((f, seq) => sent.push([(f as ReturnType<typeof frame>).name, seq]) > 0);
    flow.onSourceFrame(frame('a', acked));
    await tick();
    expect(sent).toEqual([['a', 1]]);
    expect(acked).toEqual([]);
    flow.onClientAck(1);
    expect(acked).toEqual(['a']);
  });

  it('keeps at most one frame in flight and one waiting; newer frames replace the waiting one', async () => {
    const sent: string[] = [];
    const acked: string[] = [];
    const flow = new FrameFlow((f) => sent.push((f as ReturnType<typeof frame>).name) > 0);
    flow.onSourceFrame(frame('a', acked));
    flow.onSourceFrame(frame('b', acked));
    flow.onSourceFrame(frame('c', acked));
    await tick();
    expect(sent).toEqual(['a']);
    expect(acked).toEqual(['b']); // stale b dropped and released, not queued
    flow.onClientAck(1);
    await tick();
    expect(sent).toEqual(['a', 'c']);
    expect(acked).toEqual(['b', 'a']);
    expect(flow.stats).toMatchObject({ sent: 2, dropped: 1, inFlight: true });
  });

  it('a frame that needs no sending is released at once, uses no sequence number, and lets the next one go', async () => {
    const sent: Array<[string, number]> = [];
    const acked: string[] = [];
    const flow = new FrameFlow(async (f, seq) => {
      const name = (f as ReturnType<typeof frame>).name;
      if (name === 'same') return false;
      sent.push([name, seq]);
      return true;
    });
    flow.onSourceFrame(frame('same', acked));
    flow.onSourceFrame(frame('b', acked));
    await tick();
    expect(acked).toEqual(['same']);
    expect(sent).toEqual([['b', 1]]);
    expect(flow.lastSeq).toBe(1);
    expect(flow.idle).toBe(false);
    flow.onClientAck(1);
    expect(flow.idle).toBe(true);
  });

  it('ignores acks for frames it did not send', async () => {
    const sent: string[] = [];
    const acked: string[] = [];
    const flow = new FrameFlow((f) => sent.push((f as ReturnType<typeof frame>).name) > 0);
    flow.onSourceFrame(frame('a', acked));
    flow.onSourceFrame(frame('b', acked));
    await tick();
    flow.onClientAck(5);
    expect(sent).toEqual(['a']);
    expect(acked).toEqual([]);
  });

  it('releases everything held on reset so Chromium keeps producing frames', async () => {
    const acked: string[] = [];
    const flow = new FrameFlow(() => true);
    flow.onSourceFrame(frame('a', acked));
    flow.onSourceFrame(frame('b', acked));
    await tick();
    flow.reset();
    expect(acked.sort()).toEqual(['a', 'b']);
    expect(flow.stats.inFlight).toBe(false);
  });

  it('a frame still encoding when the flow resets is released and not counted as in flight', async () => {
    const acked: string[] = [];
    let finish: (v: boolean) => void = () => undefined;
    const flow = new FrameFlow(() => new Promise<boolean>((resolve) => (finish = resolve)));
    flow.onSourceFrame(frame('a', acked));
    flow.reset();
    finish(true);
    await tick();
    expect(acked).toEqual(['a']);
    expect(flow.stats.inFlight).toBe(false);
  });
});
