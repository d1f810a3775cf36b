/**
 * docker/chromium-seccomp.json (referenced by compose.yaml): the file's shape and the
 * calls Chromium's sandbox and the sanitizer need. scripts/container-test.sh loads it
 * into a container (podman with runc) and checks both work there.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

interface Rule {
  names: string[];
  action: string;
  args?: unknown[];
  includes?: Record<string, unknown>;
  excludes?: Record<string, unknown>;
}
const profile = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../docker/chromium-seccomp.json'), 'utf8')) as {
  defaultAction: string;
  archMap: { architecture: string }[];
  syscalls: Rule[];
};
const unconditional = (name: string): Rule[] =>
  profile.syscalls.filter((r) => r.names.includes(name) && !r.args?.length && !r.includes && !r.excludes);

describe('chromium seccomp profile', () => {
  it('denies by default and covers x86-64 and arm64', () => {
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.archMap.map((a) => a.architecture)).toEqual(expect.arrayContaining(['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64']));
  });

  it('allows the namespace calls of the Chromium sandbox without capabilities', () => {
    for (const name of ['clone', 'unshare', 'setns', 'chroot']) {
      expect(unconditional(name).map((r) => r.action), name).toContain('SCMP_ACT_ALLOW');
    }
  });

  it("allows the mount calls of the sanitizer's private view (refused by the kernel outside its own namespaces)", () => {
    for (const name of ['mount', 'umount2', 'pivot_root']) {
      expect(unconditional(name).map((r) => r.action), name).toContain('SCMP_ACT_ALLOW');
    }
  });

  it('keeps dangerous calls behind capabilities the container does not have', () => {
    for (const name of ['bpf', 'init_module', 'finit_module', 'ptrace', 'reboot', 'kexec_load', 'open_by_handle_at', 'fsopen', 'move_mount']) {
      expect(unconditional(name).filter((r) => r.action === 'SCMP_ACT_ALLOW'), name).toEqual([]);
    }
  });

  it('allows what every process needs', () => {
    for (const name of ['read', 'write', 'mmap', 'futex', 'execve', 'exit_group']) {
      expect(unconditional(name).map((r) => r.action), name).toContain('SCMP_ACT_ALLOW');
    }
  });
});
