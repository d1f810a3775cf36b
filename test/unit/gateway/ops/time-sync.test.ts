/** The clock-synchronisation check of the compliance page (gateway/ops/time-sync.ts). */
import { describe, expect, it } from 'vitest';
import { checkTimeSync, parseChronyTracking, parseTimedatectl, TimeSyncWatch } from '../../../../gateway/ops/time-sync.js';

const CHRONY_OK = 'Reference ID    : 85F3EEA3 (ntp.nict.jp)\nStratum         : 2\nLeap status     : Normal\n';
const CHRONY_NOT = 'Reference ID    : 00000000 ()\nStratum         : 0\nLeap status     : Not synchronised\n';

describe('time synchronisation', () => {
  it('reads timedatectl and chronyc answers', () => {
    expect(parseTimedatectl('yes\n')).toBe('synchronized');
    expect(parseTimedatectl('no\n')).toBe('unsynchronized');
    expect(parseTimedatectl('')).toBeNull();
    expect(parseChronyTracking(CHRONY_OK)).toBe('synchronized');
    expect(parseChronyTracking(CHRONY_NOT)).toBe('unsynchronized');
    expect(parseChronyTracking('506 Cannot talk to daemon')).toBeNull();
  });

  it('asks timedatectl first, then chronyc, and says why it is unknown when neither answers', async () => {
    const now = new Date('2026-12-02T00:00:00Z');
    const viaSystemd = await checkTimeSync(async (file) => (file === 'timedatectl' ? 'no\n' : CHRONY_OK), now);
    expect(viaSystemd).toEqual({ state: 'unsynchronized', source: 'timedatectl', detail: 'NTPSynchronized=no', checkedAt: now.toISOString() });
    const viaChrony = await checkTimeSync(async (file) => {
      if (file === 'timedatectl') throw new Error('System has not been booted with systemd as init system (PID 1).');
      return CHRONY_OK;
    }, now);
    expect(viaChrony).toMatchObject({ state: 'synchronized', source: 'chronyc', detail: 'Leap status Normal' });
    const none = await checkTimeSync(async (file) => {
      throw new Error(`${file}: not found`);
    }, now);
    expect(none.state).toBe('unknown');
    expect(none.source).toBeNull();
    expect(none.detail).toContain('timedatectl: timedatectl: not found');
    expect(none.detail).toContain('chronyc');
  });

  it('keeps the last answer for the page', async () => {
    let state: 'synchronized' | 'unsynchronized' = 'synchronized';
    const watch = new TimeSyncWatch(async () => ({ state, source: 'chronyc', detail: '', checkedAt: '' }));
    expect(watch.current().state).toBe('unknown');
    await watch.refresh();
    expect(watch.current().state).toBe('synchronized');
    state = 'unsynchronized';
    await watch.refresh();
    expect(watch.current().state).toBe('unsynchronized');
  });
});
