import { describe, expect, it } from 'vitest';
import { ServerMessage } from '../../../protocol/index.js';

describe('tab-health server message', () => {
  it('accepts the three states and refuses anything else', () => {
    for (const state of ['ok', 'unresponsive', 'crashed']) {
      expect(ServerMessage.safeParse({ type: 'tab-health', tabId: 3, state }).success).toBe(true);
    }
    expect(ServerMessage.safeParse({ type: 'tab-health', tabId: 3, state: 'dead' }).success).toBe(false);
    expect(ServerMessage.safeParse({ type: 'tab-health', tabId: 'x', state: 'ok' }).success).toBe(false);
  });
});
