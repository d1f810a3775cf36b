import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { findLibreOffice } from '../../../sanitizer/office-converter.js';
import { runLimited } from '../../../sanitizer/limited-process.js';
import { privateViewPrefix } from '../../../sanitizer/private-view.js';

/**
 * Security review: inside `unshare -rmnp` LibreOffice ran as root of its user namespace
 * with every capability, so an exploit could leave the private root with the classic
 * chroot("x"); chdir("../..") escape (CAP_SYS_CHROOT) and read the host's files as the
 * gateway's user. The program now runs without capabilities under pivot_root. These run
 * a stand-in for an exploited LibreOffice through the same runLimited + private-view path.
 */
const soffice = await findLibreOffice();
const privateView = await privateViewPrefix('/');

/**
 * Reports its capabilities, then tries the escape — directly, and again after making a
 * user namespace of its own without exec (as shellcode would), where it does hold
 * CAP_SYS_CHROOT — and looks for the host's /root and /var each time.
 */
const ESCAPE = `
import ctypes, os, json
def escape():
    os.makedirs('jail', exist_ok=True)
    os.chroot('jail')
    for _ in range(64): os.chdir('..')
    os.chroot('.')
    return os.path.exists('/root') or os.path.exists('/var')
caps = [l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff:')][0]
result = {'capEff': caps, 'hostVisible': os.path.exists('/var') or os.path.exists('/root')}
try:
    result['escaped'] = escape()
except OSError as e:
    result['escaped'] = e.errno
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(0x10000000) == 0:  # CLONE_NEWUSER
    try:
        result['escapedFromOwnNamespace'] = escape()
    except OSError as e:
        result['escapedFromOwnNamespace'] = e.errno
else:
    result['escapedFromOwnNamespace'] = ctypes.get_errno()
print(json.dumps(result))
`;

async function workDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kekkai-view-test-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe.skipIf(!soffice || !privateView)('the private view of the office converter', () => {
  it('runs the program with no capabilities, so the chroot escape fails with EPERM', async () => {
    const cwd = await workDir();
    const r = await runLimited({ command: 'python3', args: ['-c', ESCAPE], cwd, timeoutMs: 30_000, memoryBytes: 1 << 30, privateView: true });
    expect(r.isolation).toMatch(/private root/);
    expect(r.ok ? '' : `${r.detail} ${r.stderr}`).toBe('');
    if (!r.ok) return;
    const seen = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({ capEff: '0000000000000000', hostVisible: false, escaped: 1 /* EPERM */ });
    // In a namespace of its own it may chroot, but the old root is unmounted: no way out.
    expect([false, 1]).toContain(seen['escapedFromOwnNamespace']);
  }, 60_000);

  it('cannot mount, map itself to root in a new user namespace, or gain privileges on exec (no_new_privs)', async () => {
    const cwd = await workDir();
    const script = 'mkdir m; mount -t proc proc m 2>/dev/null && echo mounted; unshare -r true 2>/dev/null && echo unshared; grep NoNewPrivs /proc/self/status';
    const r = await runLimited({ command: 'sh', args: ['-c', script], cwd, timeoutMs: 30_000, memoryBytes: 1 << 30, privateView: true });
    expect(r.ok ? r.stdout.replace(/\s+/g, ' ').trim() : `${r.detail} ${r.stderr}`).toBe('NoNewPrivs: 1');
  }, 60_000);
});
