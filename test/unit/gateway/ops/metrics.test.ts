/** The Metrics facade: names, labels and values in the Prometheus text a scraper sees. */
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../../gateway/ops/metrics.js';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Metrics', () => {
  it('exposes every kekkai metric with the values recorded through the facade', async () => {
    let sessions = 3;
    const metrics = new Metrics({ activeSessions: () => sessions, processMetrics: false });
    metrics.frameSent(1000);
    metrics.frameSent(500);
    metrics.inputToFrame(0.03);
    metrics.inputToFrame(1.5);
    metrics.download('sanitized', null);
    metrics.download('blocked', 'infected');
    metrics.download('blocked', 'infected');
    metrics.sanitizerDuration('pdf', 2);
    metrics.policyRefusal('url');
    metrics.clamdUp(true);
    let text = await metrics.text();
    expect(value(text, 'kekkai_active_sessions')).toBe(3);
    expect(value(text, 'kekkai_frames_sent_total')).toBe(2);
    expect(value(text, 'kekkai_frame_bytes_sent_total')).toBe(1500);
    expect(value(text, 'kekkai_input_to_frame_seconds_bucket{le="0.05"}')).toBe(1);
    expect(value(text, 'kekkai_input_to_frame_seconds_bucket{le="2"}')).toBe(2);
    expect(value(text, 'kekkai_input_to_frame_seconds_count')).toBe(2);
    expect(value(text, 'kekkai_downloads_total{verdict="blocked",reason="infected"}')).toBe(2);
    expect(value(text, 'kekkai_downloads_total{verdict="sanitized",reason="none"}')).toBe(1);
    expect(value(text, 'kekkai_sanitizer_duration_seconds_sum{type="pdf"}')).toBe(2);
    expect(value(text, 'kekkai_policy_refusals_total{kind="url"}')).toBe(1);
    expect(value(text, 'kekkai_clamd_up')).toBe(1);

    sessions = 0;
    metrics.clamdUp(false);
    text = await metrics.text();
    expect(value(text, 'kekkai_active_sessions')).toBe(0);
    expect(value(text, 'kekkai_clamd_up')).toBe(0);
  });

  it('reports workers by state and sessions per worker taking sessions (the scale-out signal)', async () => {
    const metrics = new Metrics({ processMetrics: false });
    let text = await metrics.text();
    expect(value(text, 'kekkai_sessions_per_worker')).toBe(0);
    const load = [
      { ready: true, draining: false, sessions: 6 },
      { ready: true, draining: false, sessions: 4 },
      { ready: true, draining: true, sessions: 2 },
      { ready: false, draining: false, sessions: 0 },
    ];
    metrics.setWorkerSource(() => load);
    text = await metrics.text();
    expect(value(text, 'kekkai_workers{state="ready"}')).toBe(2);
    expect(value(text, 'kekkai_workers{state="draining"}')).toBe(1);
    expect(value(text, 'kekkai_workers{state="starting"}')).toBe(1);
    // 12 sessions over the 2 workers that take new ones.
    expect(value(text, 'kekkai_sessions_per_worker')).toBe(6);
    load.splice(0, 2);
    text = await metrics.text();
    expect(value(text, 'kekkai_sessions_per_worker')).toBe(2);
  });

  it('includes process metrics by default and keeps instances apart', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.frameSent(10);
    expect(await a.text()).toMatch(/^process_cpu_user_seconds_total /m);
    expect(value(await b.text(), 'kekkai_frames_sent_total')).toBe(0);
    expect(a.contentType).toContain('version=0.0.4');
  });

  it('ignores impossible durations instead of corrupting the histograms', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.inputToFrame(-1);
    metrics.inputToFrame(Number.NaN);
    expect(value(await metrics.text(), 'kekkai_input_to_frame_seconds_count')).toBe(0);
  });
});
