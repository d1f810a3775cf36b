/**
 * Unit tests are pure (docs/testing.md): no temporary files, no writes, no processes,
 * no sockets. Reading checked-in files (sources, docs, deployment files) is allowed;
 * anything else belongs in test/integration/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const FORBIDDEN: [RegExp, string][] = [
  [/\b(mkdtemp|writeFile|appendFile|mkdir|rm|rmdir|unlink|rename|copyFile|chmod|symlink|truncate)(Sync)?\s*\(/, 'writes to the file system'],
  [/\bos\.tmpdir\(|\btmpdir\(\)/, 'uses a temporary directory'],
  [/from ['"]node:(child_process|net|http|https|http2|dgram|tls)['"]/, 'starts processes or opens sockets'],
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('unit tests', () => {
  it('do no file I/O beyond reading the repository, start no process and open no socket', () => {
    const self = path.join('test', 'unit', 'architecture', 'unit-tests-pure.test.ts');
    const found = files('test/unit')
      .filter((file) => file !== self)
      .flatMap((file) => {
        const text = readFileSync(file, 'utf8');
        return FORBIDDEN.filter(([re]) => re.test(text)).map(([, why]) => `${file} ${why}`);
      });
    expect(found).toEqual([]);
  });
});
