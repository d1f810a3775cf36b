import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_SETTINGS } from '../../../gateway/config/config-schema.js';
import { loadConfig } from '../../../gateway/config/load-config.js';

/** Settings the deployment files use that are not (yet) in ENV_SETTINGS. */
const EXTRA_KEKKAI = ['KEKKAI_CLAMD'];

const lines = readFileSync('docker/.env.example', 'utf8').split('\n');
const entries = new Map<string, { value: string; index: number }>();
lines.forEach((line, index) => {
  const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
  if (match) entries.set(match[1]!, { value: match[2]!, index });
});

describe('docker/.env.example', () => {
  it('lists every setting of ENV_SETTINGS, plus KEKKAI_CLAMD', () => {
    const missing = [...ENV_SETTINGS.map((s) => s.env), ...EXTRA_KEKKAI].filter((env) => !entries.has(env));
    expect(missing).toEqual([]);
  });

  it('has no KEKKAI_* name kekkai does not know (typos would be silently ignored)', () => {
    const known = new Set([...ENV_SETTINGS.map((s) => s.env), ...EXTRA_KEKKAI]);
    expect([...entries.keys()].filter((k) => k.startsWith('KEKKAI_') && !known.has(k))).toEqual([]);
  });

  it('explains each setting in a comment above it (or above its group, e.g. TLS cert and key)', () => {
    for (const [name, { index }] of entries) {
      let above = index - 1;
      while (above >= 0 && /^[A-Z][A-Z0-9_]*=/.test(lines[above]!)) above -= 1;
      expect(lines[above], name).toMatch(/^#\s*\S/);
    }
  });

  it('contains no secret values', () => {
    for (const setting of ENV_SETTINGS.filter((s) => s.secret)) {
      expect(entries.get(setting.env)?.value, setting.env).toBe('');
    }
  });

  it('is a valid configuration as it stands (container paths, clamd of the compose file)', () => {
    const env = Object.fromEntries([...entries].map(([k, v]) => [k, v.value]));
    const config = loadConfig({ env });
    expect(config.host).toBe('0.0.0.0');
    expect(config.dataDir).toBe('/var/lib/kekkai');
    expect(config.insecureHttp).toBe(false);
    expect(entries.get('KEKKAI_CLAMD')?.value).toBe('clamav:3310');
  });
});

describe('docs/operations.md settings reference', () => {
  it('has a row for every setting of ENV_SETTINGS and for KEKKAI_CLAMD', () => {
    const doc = readFileSync('docs/operations.md', 'utf8');
    const missing = [...ENV_SETTINGS.map((s) => s.env), ...EXTRA_KEKKAI].filter((env) => !new RegExp(`^\\| \`${env}\` \\|`, 'm').test(doc));
    expect(missing).toEqual([]);
  });
});
