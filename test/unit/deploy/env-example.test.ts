import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, ENV_SETTINGS } from '../../../gateway/config/config-schema.js';
import { loadConfig } from '../../../gateway/config/load-config.js';

const lines = readFileSync('docker/.env.example', 'utf8').split('\n');
const entries = new Map<string, { value: string; index: number }>();
lines.forEach((line, index) => {
  const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
  if (match) entries.set(match[1]!, { value: match[2]!, index });
});

describe('docker/.env.example', () => {
  it('lists every setting of ENV_SETTINGS', () => {
    const missing = ENV_SETTINGS.map((s) => s.env).filter((env) => !entries.has(env));
    expect(missing).toEqual([]);
  });

  it('has no KEKKAI_* name kekkai does not know (typos would be silently ignored)', () => {
    const known = new Set(ENV_SETTINGS.map((s) => s.env));
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

const DEFAULTS = ConfigSchema.parse({});
const defaultAt = (dotted: string): unknown => dotted.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], DEFAULTS);

/** The settings tables of both docs: one row per variable, its YAML key, and the schema's default first in the default column. */
describe.each(['docs/configuration.md', 'docs/operations.md'])('%s settings table', (doc) => {
  const text = readFileSync(doc, 'utf8');
  const row = (env: string) => new RegExp(`^\\| \`${env}\` \\| ([^|]*) \\| ([^|]*) \\|`, 'm').exec(text);

  it('has a row for every setting of ENV_SETTINGS, under its YAML key', () => {
    const wrong = ENV_SETTINGS.filter((s) => row(s.env)?.[1]?.trim() !== `\`${s.path}\``).map((s) => s.env);
    expect(wrong).toEqual([]);
  });

  it("starts each default with the schema's default (— for an empty list)", () => {
    const wrong = ENV_SETTINGS.flatMap((s) => {
      const value = defaultAt(s.path);
      if (value === undefined) return []; // computed at start (key file, machine name): described in words
      const expected = Array.isArray(value) && value.length === 0 ? '—' : `\`${Array.isArray(value) ? value.join(',') : String(value)}\``;
      const cell = row(s.env)?.[2]?.trim() ?? '';
      return cell.startsWith(expected) ? [] : [`${s.env}: "${cell}" should start with ${expected}`];
    });
    expect(wrong).toEqual([]);
  });
});
