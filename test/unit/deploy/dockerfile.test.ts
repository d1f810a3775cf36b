import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile → instructions, with line continuations joined and comments dropped (as Docker does). */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\w+)\s+([\s\S]*)$/.exec(full);
    if (match) out.push({ keyword: match[1]!.toUpperCase(), args: match[2]! });
  }
  return out;
}

function stages(instructions: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') result.push([]);
    result[result.length - 1]?.push(ins);
  }
  return result;
}

const dockerfile = parseDockerfile(readFileSync('docker/Dockerfile', 'utf8'));
const all = stages(dockerfile);
const build = all[0]!;
const runtime = all[all.length - 1]!;
const runs = (stage: Instruction[]): string => stage.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');

describe('docker/Dockerfile', () => {
  it('builds in a full Node 20 image and runs on the slim one', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(build[0]!.args).toMatch(/^node:\$\{NODE_VERSION\}-bookworm AS build$/);
    expect(runtime[0]!.args).toMatch(/^node:\$\{NODE_VERSION\}-bookworm-slim\b/);
    expect(readFileSync('docker/Dockerfile', 'utf8')).toMatch(/^ARG NODE_VERSION=20$/m);
  });

  it('compiles and prunes dev dependencies in the build stage only', () => {
    expect(runs(build)).toMatch(/npm ci\b/);
    expect(runs(build)).toMatch(/npm run build\b/);
    expect(runs(build)).toMatch(/npm prune --omit=dev\b/);
    // The runtime gets node_modules from the build stage; an npm install there would need compilers.
    expect(runs(runtime)).not.toMatch(/\bnpm (ci|install|i)\b/);
    expect(runtime.some((i) => i.keyword === 'COPY' && /--from=build\s+\S*node_modules/.test(i.args))).toBe(true);
  });

  it('runs as a fixed non-root user in the final stage', () => {
    const users = runtime.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1]!.args.trim();
    expect(user.split(':')[0]).not.toMatch(/^(root|0)$/);
    expect(runs(runtime)).toMatch(new RegExp(`useradd\\b[^\\n]*--uid \\d+[^\\n]*\\b${user}\\b`));
  });

  it('installs no build tools in the final stage', () => {
    const installs = runs(runtime);
    for (const tool of ['build-essential', 'g++', 'gcc', 'make', 'python3', 'cmake', 'node-gyp']) {
      expect(installs.split(/[\s";]+/), tool).not.toContain(tool);
    }
  });

  it('installs Debian Chromium, Japanese fonts, poppler and tini, and never downloads a browser', () => {
    const installs = runs(runtime);
    for (const pkg of ['chromium', 'chromium-l10n', 'fonts-noto-cjk', 'poppler-utils', 'poppler-data', 'tini']) {
      expect(installs.split(/[\s";]+/), pkg).toContain(pkg);
    }
    const env = runtime.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/PUPPETEER_SKIP_DOWNLOAD=1/);
    expect(build.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ')).toMatch(/PUPPETEER_SKIP_DOWNLOAD=1/);
    expect(env).toMatch(/KEKKAI_CHROMIUM_PATH=\/usr\/bin\/chromium/);
  });

  it('keeps data in /var/lib/kekkai, exposes 8443 and starts through tini', () => {
    const get = (k: string): string[] => runtime.filter((i) => i.keyword === k).map((i) => i.args);
    expect(get('ENV').join(' ')).toMatch(/KEKKAI_DATA_DIR=\/var\/lib\/kekkai\b/);
    expect(get('VOLUME').join(' ')).toContain('/var/lib/kekkai');
    expect(get('EXPOSE')).toContain('8443');
    expect(JSON.parse(get('ENTRYPOINT')[0]!)).toEqual(['/usr/bin/tini', '--']);
    expect(JSON.parse(get('CMD')[0]!)).toEqual(['node', 'bin/kekkai.js', 'serve']);
  });

  it('has a HEALTHCHECK that asks /healthz with node (no curl in the image)', () => {
    const health = runtime.find((i) => i.keyword === 'HEALTHCHECK');
    expect(health).toBeDefined();
    const command = JSON.parse(health!.args.slice(health!.args.indexOf('CMD') + 3).trim()) as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain("path:'/healthz'");
  });

  it('never turns the Chromium sandbox off', () => {
    expect(readFileSync('docker/Dockerfile', 'utf8')).not.toMatch(/no-sandbox|USER\s+(root|0)\b/);
  });
});

describe('.dockerignore', () => {
  it('keeps secrets, local data and host-built artefacts out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['.git', 'node_modules', 'dist', 'data', '.env', 'docker/.env']) {
      expect(ignored, entry).toContain(entry);
    }
  });
});
