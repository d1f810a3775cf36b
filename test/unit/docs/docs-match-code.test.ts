/**
 * The docs describe the code as it is (docs/architecture.md says so). These checks
 * tie concrete statements to the code they describe, so a doc cannot keep calling
 * something "in progress" or "not yet a setting" after it ships. They read the
 * checked-in docs and sources only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_EVENTS } from '../../../gateway/audit/audit-event.js';
import { ENV_SETTINGS } from '../../../gateway/config/config-schema.js';

const DOCS = readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
const read = (file: string) => readFileSync(file, 'utf8');

/** Sections of a markdown file: the text between headings, with the heading. */
function sections(text: string): string[] {
  return text.split(/^(?=#{1,6} )/m);
}

describe('docs/architecture.md', () => {
  const doc = read('docs/architecture.md');

  it('names every folder of gateway/ in the components table', () => {
    const row = doc.split('\n').find((line) => line.startsWith('| `gateway/` |')) ?? '';
    const folders = readdirSync('gateway', { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.length).toBeGreaterThan(10);
    expect(folders.filter((name) => !row.includes(`\`${name}/\``))).toEqual([]);
  });

  it('states the sanitizer concurrency the download manager uses, not a fixed number', () => {
    const manager = read('gateway/downloads/download-manager.ts');
    expect(manager).toContain('os.availableParallelism()');
    expect(doc).toContain('os.availableParallelism()');
    expect(doc).toContain('sanitize-scheduler.ts');
    expect(doc).not.toMatch(/\(\d+ at a time\)/);
  });
});

describe('docs/*.md', () => {
  it('cite only documents that are in the repository, or say where the others live', () => {
    const wrong: string[] = [];
    for (const file of DOCS) {
      for (const paragraph of read(file).split(/\n\s*\n/)) {
        for (const m of paragraph.matchAll(/[`([]([A-Za-z][\w.-]*\.md)[`)\]]/g)) {
          const name = m[1]!;
          if (existsSync(`docs/${name}`) || existsSync(name)) continue;
          if (/outside the repository/.test(paragraph)) continue;
          wrong.push(`${file}: ${name}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('name only source, test and deployment files that exist', () => {
    // Not checked: bench results (not committed) and workers.md, the plan of issue 10 (files to come).
    const wrong = DOCS.filter((file) => file !== 'docs/workers.md').flatMap((file) =>
      [...read(file).matchAll(/\b(?:gateway|sanitizer|policies|protocol|client|test|deploy|docker|scripts)\/[\w./-]+\.(?:ts|json|yaml|sh|mjs|conf|service)\b/g)]
        .map((m) => m[0])
        .filter((named) => !existsSync(named))
        .map((named) => `${file}: ${named}`),
    );
    expect(wrong).toEqual([]);
  });

  it('call nothing "not yet a setting" or "proposed" that the schema has (a proposed setting names its new variable)', () => {
    const known = new Set(ENV_SETTINGS.flatMap((s) => [s.env, s.path]));
    const wrong: string[] = [];
    for (const file of DOCS) {
      for (const section of sections(read(file))) {
        for (const paragraph of section.split(/\n\s*\n(?!\|)/)) {
          if (!/not yet (a setting|in the schema)|proposed settings?/i.test(paragraph)) continue;
          const named = [...paragraph.matchAll(/`(KEKKAI_[A-Z0-9_]+|[a-z]+(?:\.[a-zA-Z]+)+)`/g)].map((m) => m[1]!);
          const existing = named.filter((n) => known.has(n));
          const proposed = named.filter((n) => n.startsWith('KEKKAI_') && !known.has(n));
          if (existing.length > 0 || proposed.length === 0) wrong.push(`${file}: ${paragraph.split('\n')[0]!.slice(0, 100)} (${existing.join(', ') || 'names no new variable'})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('do not call the admin or security console unfinished while its pages exist', () => {
    expect(existsSync('client/admin.ts') && existsSync('client/security.ts')).toBe(true);
    const wrong = DOCS.flatMap((file) =>
      read(file)
        .split('\n')
        .filter((line) => /\/admin\b|\/security\b|console/i.test(line) && /in progress|a shell|shells? today|\bplanned\b|follow with issue/i.test(line))
        .map((line) => `${file}: ${line.slice(0, 120)}`),
    );
    expect(wrong).toEqual([]);
  });
});

describe('docs/audit.md', () => {
  it('lists every audit event the code knows', () => {
    const row = read('docs/audit.md').split('\n').find((line) => line.startsWith('| `event` |')) ?? '';
    expect(AUDIT_EVENTS.filter((event) => !row.includes(`\`${event}\``))).toEqual([]);
  });
});
