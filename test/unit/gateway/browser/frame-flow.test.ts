import { describe, expect, it } from 'vitest';
import { FrameFlow, type FrameSink, type SourceFrame } from '../../../../gateway/browser/frame-flow.js';

function frame(name: string, acked: string[]): SourceFrame {
  return { data: Buffer.from(name), width: 1, height: 1, captureTime: 0, ackSource: () => acked.push(name) };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A sink that "encodes" a frame to its name and records what it encoded and sent. */
function sink(options: { skip?: string; transmitOk?: () => boolean } = {}): FrameSink & { encoded: Array<[string, number]>; sent: Array<[string, number]> } {
  const encoded: Array<[string, number]> = [];
  const sent: Array<[string, number]> = [];
  return {
    encoded,
    sent,
    encode: async (f, seq) => {
      const name = f.data.toString();
      if (name === options.skip) return null;
      encoded.push([name, seq]);
      return new Uint8Array(f.data);
    },
    transmit: (bytes, seq) => {
      if (options.transmitOk && !options.transmitOk()) return false;
      sent.push([Buffer.from(bytes).toString(), seq]);
      return true;
    },
  };
}

describe('frame flow control', () => {
  it('sends the first frame at once and holds Chromium\'s ack until the client acks', async () => {
    const s = sink();
    const acked: string[] = [];
    const flow = new FrameFlow(s);
    flow.onSourceFrame(frame('a', acked));
    await tick();
    expect(s.sent).toEqual([['a', 1]]);
    expect(acked).toEqual([]);
    flow.onClientAck(1);
    expect(acked).toEqual(['a']);
    expect(flow.idle).toBe(true);
  });

  it('encodes the next frame while one is in flight, sends it on the ack, and drops stale waiting frames', async () => {
    const s = sink();
    const acked: string[] = [];
    const flow = new FrameFlow(s);
    flow.onSourceFrame(frame('a', acked));
    await tick();
    flow.onSourceFrame(frame('b', acked)); // encoded at once, ready behind a
    await tick();
    flow.onSourceFrame(frame('c', acked)); // waits
    flow.onSourceFrame(frame('d', acked)); // replaces c
    await tick();
    expect(s.encoded).toEqual([['a', 1], ['b', 2]]);
    expect(s.sent).toEqual([['a', 1]]);
    expect(acked).toEqual(['c']); // stale c dropped and released, not queued
    flow.onClientAck(1);
    await tick();
    expect(s.sent).toEqual([['a', 1], ['b', 2]]);
    expect(s.encoded).toEqual([['a', 1], ['b', 2], ['d', 3]]);
    expect(acked).toEqual(['c', 'a']);
    expect(flow.stats).toMatchObject({ sent: 2, dropped: 1, inFlight: true });
  });

  it('a frame that needs no sending is released at once, uses no sequence number, and lets the next one go', async () => {
    const s = sink({ skip: 'same' });
    const acked: string[] = [];
    const flow = new FrameFlow(s);
    flow.onSourceFrame(frame('same', acked));
    flow.onSourceFrame(frame('b', acked));
    await tick();
    await tick();
    expect(acked).toEqual(['same']);
    expect(s.sent).toEqual([['b', 1]]);
    expect(flow.idle).toBe(false);
    flow.onClientAck(1);
    expect(flow.idle).toBe(true);
  });

  it('a frame that cannot be transmitted is released and its sequence number not waited for', async () => {
    let ok = false;
    const s = sink({ transmitOk: () => ok });
    const acked: string[] = [];
    const flow = new FrameFlow(s);
    flow.onSourceFrame(frame('a', acked));
    await tick();
    expect(acked).toEqual(['a']);
    expect(flow.idle).toBe(true);
    ok = true;
    flow.onSourceFrame(frame('b', acked));
    await tick();
    expect(s.sent).toEqual([['b', 2]]);
  });

  it('ignores acks for frames it did not send', async () => {
    const s = sink();
    const acked: string[] = [];
    const flow = new FrameFlow(s);
    flow.onSourceFrame(frame('a', acked));
    await tick();
    flow.onSourceFrame(frame('b', acked));
    await tick();
    flow.onClientAck(5);
    flow.onClientAck(2); // encoded, not yet sent
    expect(s.sent).toEqual([['a', 1]]);
    expect(acked).toEqual([]);
  });

  it('releases everything held on reset so Chromium keeps producing frames', async () => {
    const acked: string[] = [];
    const flow = new FrameFlow(sink());
    flow.onSourceFrame(frame('a', acked));
    await tick();
    flow.onSourceFrame(frame('b', acked));
    await tick();
    flow.onSourceFrame(frame('c', acked));
    flow.reset();
    expect(acked.sort()).toEqual(['a', 'b', 'c']);
    expect(flow.stats.inFlight).toBe(false);
    expect(flow.idle).toBe(true);
  });

  it('a frame still encoding when the flow resets is released and never sent', async () => {
    const acked: string[] = [];
    let finish: (v: Uint8Array) => void = () => undefined;
    const sent: number[] = [];
    const flow = new FrameFlow({ encode: () => new Promise((resolve) => (finish = resolve)), transmit: (_b, seq) => sent.push(seq) > 0 });
    flow.onSourceFrame(frame('a', acked));
    flow.reset();
    finish(new Uint8Array([1]));
    await tick();
    expect(acked).toEqual(['a']);
    expect(sent).toEqual([]);
  });
});
