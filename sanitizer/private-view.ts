import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private view of the file system for a converter of hostile documents. LibreOffice
 * follows links in a document to local files (an .odt that linked an image under
 * /usr/share rendered it into the output), so it runs where the only writable or
 * private directory it can see is its own work directory.
 *
 * With util-linux `unshare` (new user, mount, network and PID namespaces) a small
 * shell script builds a root on a tmpfs: /usr read-only (programs, libraries, fonts),
 * the few /etc entries LibreOffice needs (fonts, the linker cache, its own settings),
 * /dev/null and the random devices, a fresh /proc of the new PID namespace, an empty
 * /tmp, and the work directory at its own path; then makes it the root with
 * `pivot_root` and unmounts the old root (`chroot` where pivot_root is refused). The
 * data directory, other users' downloads, keys, /home, /root, /var, /run and the rest
 * of /tmp and /etc are simply not there.
 *
 * The program itself runs with no capabilities: `setpriv` empties the bounding,
 * inheritable and ambient sets and sets no_new_privs before exec. Root in the user
 * namespace would otherwise hold CAP_SYS_CHROOT and CAP_SYS_ADMIN there, enough for
 * the classic `chroot("x"); chdir("../..")` escape or to remount what was hidden.
 * No new package: unshare, mount, pivot_root and setpriv are in util-linux.
 *
 * Where the kernel refuses user namespaces (some container profiles), the prefix is
 * null and the caller falls back to the network-only isolation; ODF/OOXML links are
 * removed before conversion anyway (office-links.ts).
 */

/** Runs as `sh -c SCRIPT kekkai-view <workDir> <command> <args…>` inside the namespaces. */
const SCRIPT = `set -eu
PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
work="$1"; shift
root="$work/.root"
mkdir -p "$root"
mount -t tmpfs -o mode=0755,size=16m kekkai-root "$root"
mkdir -p "$root/usr" "$root/etc" "$root/dev" "$root/proc" "$root/tmp" "$root$work"
chmod 1777 "$root/tmp"
mount --bind /usr "$root/usr"
mount -o remount,bind,ro "$root/usr"
for l in bin lib lib32 lib64 libx32 sbin; do
  if [ -L "/$l" ]; then ln -s "$(readlink "/$l")" "$root/$l"
  elif [ -d "/$l" ]; then mkdir -p "$root/$l"; mount --bind "/$l" "$root/$l"; mount -o remount,bind,ro "$root/$l"; fi
done
for e in fonts ld.so.cache ld.so.conf ld.so.conf.d libreoffice alternatives localtime; do
  [ -e "/etc/$e" ] || continue
  if [ -d "/etc/$e" ]; then mkdir -p "$root/etc/$e"; else : > "$root/etc/$e"; fi
  mount --bind "/etc/$e" "$root/etc/$e"
done
for n in null zero random urandom; do : > "$root/dev/$n"; mount --bind "/dev/$n" "$root/dev/$n"; done
mount -t proc proc "$root/proc"
mount --bind "$work" "$root$work"
# Without capabilities (and unable to regain any) the program cannot leave the root with
# chroot("x"); chdir("../.."), mount or unmount anything, or ptrace out.
drop='setpriv --bounding-set=-all --inh-caps=-all --ambient-caps=-all --no-new-privs --'
enter='cd "$1"; shift; exec "$@"'
cd "$root"
mkdir .old
if pivot_root . .old 2>/dev/null; then
  umount -l /.old
  rmdir /.old
  exec $drop /bin/sh -c "$enter" sh "$work" "$@"
fi
rmdir .old
exec chroot . $drop /bin/sh -c "$enter" sh "$work" "$@"
`;

const VARIANTS = [
  ['unshare', '-rmnp', '--fork', '--'],
  ['unshare', '-mnp', '--fork', '--'],
];

let probe: Promise<string[] | null> | undefined;

function runs(argv: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', env: { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' } });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

function wrap(ns: string[], workDir: string): string[] {
  return [...ns, 'sh', '-c', SCRIPT, 'kekkai-view', workDir];
}

/**
 * The command prefix that runs a program in a private view where only `workDir` (and
 * read-only system files) exist, or null when this host does not allow it. The probe
 * runs once: it builds the view over a scratch directory and looks for a file outside it.
 */
export async function privateViewPrefix(workDir: string): Promise<string[] | null> {
  probe ??= (async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'kekkai-view-probe-'));
    try {
      for (const ns of VARIANTS) {
        // Works, hides what is outside (the scratch directory's parent is empty inside),
        // and the program holds no capabilities.
        const check = `test -d "${scratch}" && ! test -e /root && test "$(ls -A "${join(scratch, '..')}")" = "${scratch.split('/').pop()}" && grep -Eq '^CapEff:[[:space:]]+0+$' /proc/self/status`;
        if (await runs([...wrap(ns, scratch), 'sh', '-c', check])) return ns;
      }
      return null;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  })();
  const ns = await probe;
  return ns && wrap(ns, workDir);
}

/** How the view is described in a verdict's steps. */
export function describeView(prefix: string[] | null): string {
  return prefix ? `${prefix.slice(0, 2).join(' ')} private root (work directory only)` : 'no private file-system view (user namespaces unavailable)';
}
