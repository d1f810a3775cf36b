import { describe, expect, it } from 'vitest';
import { FrameFlow, type SourceFrame } from '../../../../gateway/browser/frame-flow.js';

function frame(name: string, acked: string[]): SourceFrame & { name: string } {
  return { name, data: Buffer.from(name), width: 1, height: 1, captureTime: 0, ackSource: () => acked.push(name) };
}

describe('frame flow control', () => {
  it('sends the first frame at once and holds Chromium\'s ack until the client acks', () => {
    const sent: Array<[string, number]> = [];
    const acked: string[] = [];
    const flow = new FrameFlow((f, seq) => sent.push([(f as ReturnType<typeof frame>).name, seq]));
    flow.onSourceFrame(frame('a', acked));
    expect(sent).toEqual([['a', 1]]);
    expect(acked).toEqual([]);
    flow.onClientAck(1);
    expect(acked).toEqual(['a']);
  });

  it('keeps at most one frame in flight and one waiting; newer frames replace the waiting one', () => {
    const sent: string[] = [];
    const acked: string[] = [];
    const flow = new FrameFlow((f) => sent.push((f as ReturnType<typeof frame>).name));
    flow.onSourceFrame(frame('a', acked));
    flow.onSourceFrame(frame('b', acked));
    flow.onSourceFrame(frame('c', acked));
    expect(sent).toEqual(['a']);
    expect(acked).toEqual(['b']); // stale b dropped and released, not queued
    flow.onClientAck(1);
    expect(sent).toEqual(['a', 'c']);
    expect(acked).toEqual(['b', 'a']);
    expect(flow.stats).toMatchObject({ sent: 2, dropped: 1, inFlight: true });
  });

  it('ignores acks for frames it did not send', () => {
    const sent: string[] = [];
    const acked: string[] = [];
    const flow = new FrameFlow((f) => sent.push((f as ReturnType<typeof frame>).name));
    flow.onSourceFrame(frame('a', acked));
    flow.onSourceFrame(frame('b', acked));
    flow.onClientAck(5);
    expect(sent).toEqual(['a']);
    expect(acked).toEqual([]);
  });

  it('releases everything held on reset so Chromium keeps producing frames', () => {
    const acked: string[] = [];
    const flow = new FrameFlow(() => undefined);
    flow.onSourceFrame(frame('a', acked));
    flow.onSourceFrame(frame('b', acked));
    flow.reset();
    expect(acked.sort()).toEqual(['a', 'b']);
    expect(flow.stats.inFlight).toBe(false);
  });
});
