/** The YAML configuration file: read from disk, so here rather than in the unit tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../../gateway/config/load-config.js';

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-config-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('configuration file', () => {
  it('lets environment variables override the YAML file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'kekkai.yaml');
    writeFileSync(file, 'port: 9443\nsession:\n  maxTabs: 4\n');
    const config = loadConfig({ file, env: { KEKKAI_PORT: '10443' } });
    expect(config.port).toBe(10443);
    expect(config.session.maxTabs).toBe(4);
  });

  it('refuses unknown keys and malformed YAML files', () => {
    const dir = tempDir();
    const unknown = path.join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'prot: 80\n');
    expect(() => loadConfig({ file: unknown, env: {} })).toThrow(/unknown keys prot/);
    const nested = path.join(dir, 'nested.yaml');
    writeFileSync(nested, 'session:\n  maxTbs: 4\n');
    expect(() => loadConfig({ file: nested, env: {} })).toThrow(/session.*unknown keys maxTbs/s);
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, 'port: [1,\n');
    expect(() => loadConfig({ file: broken, env: {} })).toThrow(/not valid YAML/);
  });
});
