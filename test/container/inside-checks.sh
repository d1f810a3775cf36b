#!/bin/sh
# Run inside the gateway container by scripts/container-test.sh (podman exec, as the
# image's user), after a session has browsed: what the processes really run with.
# Prints "ok - ..." / "not ok - ..." lines and exits 1 if any check failed.
# Argument: "ro" when the compose file gives the service a read-only root, else "rw".
set -u
want_root=${1:-ro}
failed=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; failed=1; }
field() { awk -v k="$1:" '$1 == k { print $2; exit }' "$2" 2>/dev/null; }

# Every process of the container: uid, seccomp filter, no capabilities, no_new_privs.
# Chromium's zygotes hold CAP_SYS_ADMIN inside the user namespace their sandbox made:
# a capability over that namespace only, counted apart (and evidence of the sandbox).
container_userns=$(readlink /proc/1/ns/user)
procs=0 root=0 unfiltered=0 capable=0 nscapable=0 mayescalate=0
for status in /proc/[0-9]*/status; do
  # 0 if any of the real, effective, saved or file-system uids is root.
  uid=$(awk '$1 == "Uid:" { print ($2 == 0 || $3 == 0 || $4 == 0 || $5 == 0) ? 0 : $2; exit }' "$status" 2>/dev/null) || continue
  [ -n "$uid" ] || continue
  procs=$((procs + 1))
  [ "$uid" = 0 ] && root=$((root + 1))
  [ "$(field Seccomp "$status")" = 2 ] || unfiltered=$((unfiltered + 1))
  if [ "$(field CapEff "$status")" != 0000000000000000 ]; then
    userns=$(readlink "${status%/status}/ns/user" 2>/dev/null || echo unknown)
    if [ "$userns" != unknown ] && [ "$userns" != "$container_userns" ]; then nscapable=$((nscapable + 1)); else capable=$((capable + 1)); fi
  fi
  [ "$(field NoNewPrivs "$status")" = 1 ] || mayescalate=$((mayescalate + 1))
done
[ "$root" = 0 ] && ok "none of $procs processes runs as root (uid $(id -u))" || bad "$root of $procs processes run as uid 0"
[ "$unfiltered" = 0 ] && ok "all $procs processes run under a seccomp filter (Seccomp: 2)" || bad "$unfiltered processes without a seccomp filter"
[ "$capable" = 0 ] && ok "no process has an effective capability in the container's user namespace ($nscapable only inside Chromium's sandbox namespaces)" ||
  bad "$capable processes with capabilities in the container's user namespace"
[ "$mayescalate" = 0 ] && ok "no_new_privs set on every process" || bad "$mayescalate processes without no_new_privs"

# Chromium: never --no-sandbox; renderers inside the namespace sandbox (a PID namespace
# of their own: two pids on the NSpid line) and under Chromium's own seccomp-bpf
# filter on top of the container's (Seccomp_filters at least 2).
browsers=0 renderers=0 nosandbox=0 unsandboxed=0 ownfilter=0
for dir in /proc/[0-9]*; do
  cmd=$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null) || continue
  case "$cmd" in /usr/lib/chromium/chromium*) ;; *) continue ;; esac
  case "$cmd" in *--no-sandbox*) nosandbox=$((nosandbox + 1)) ;; esac
  case "$cmd" in
    *--type=renderer*)
      renderers=$((renderers + 1))
      pids=$(awk '$1 == "NSpid:" { print NF - 1 }' "$dir/status")
      [ "${pids:-1}" -ge 2 ] || unsandboxed=$((unsandboxed + 1))
      [ "$(field Seccomp_filters "$dir/status")" -ge 2 ] && ownfilter=$((ownfilter + 1))
      ;;
    *--type=*) ;;
    *) browsers=$((browsers + 1)) ;;
  esac
done
[ "$browsers" -ge 1 ] && ok "$browsers Chromium browser processes running" || bad "no Chromium browser process found"
[ "$nosandbox" = 0 ] && ok "no Chromium process started with --no-sandbox" || bad "$nosandbox Chromium processes with --no-sandbox"
if [ "$renderers" -ge 1 ] && [ "$unsandboxed" = 0 ]; then
  ok "all $renderers renderers in the namespace sandbox (own PID namespace)"
else
  bad "renderers: $renderers, outside a PID namespace of their own: $unsandboxed"
fi
[ "$renderers" -ge 1 ] && [ "$ownfilter" = "$renderers" ] && ok "all $renderers renderers under Chromium's seccomp-bpf filter as well as the container's" ||
  bad "renderers under Chromium's own seccomp-bpf filter: $ownfilter of $renderers"

# The sanitizer's worker isolation (unshare -rn) and its private file-system view for
# LibreOffice (user, mount, network and PID namespaces, a tmpfs root, a fresh /proc).
if unshare -rn true 2>/dev/null; then ok "unshare -rn (the sanitizer's user and network namespace) allowed"; else bad "unshare -rn refused"; fi
view=$(cd /opt/kekkai && node --input-type=module -e 'const m = await import("/opt/kekkai/dist/sanitizer/private-view.js"); console.log(m.describeView(await m.privateViewPrefix("/tmp")));' 2>&1)
case "$view" in
  *"private root"*) ok "sanitizer's private file-system view for LibreOffice available: $view" ;;
  *) bad "sanitizer's private file-system view unavailable: $view" ;;
esac
# systempaths=unconfined unmasks /proc for that; to this uid without capabilities the
# kernel's files stay closed: the root-only files the masks hid are unreadable, /proc/sys
# is not writable. (/proc/keys is readable but lists only keys the reader may view.)
secret=$(cat /proc/timer_list /proc/sched_debug /proc/kcore /sys/firmware/acpi/tables/* 2>/dev/null | head -c 1 | wc -c)
[ "$secret" = 0 ] && ok "formerly masked kernel files (timer_list, kcore, ACPI tables) unreadable to uid $(id -u)" || bad "a formerly masked kernel file is readable"
if ( : >/proc/sys/kernel/hostname ) 2>/dev/null; then bad "/proc/sys writable"; else ok "/proc/sys not writable"; fi

# Root file system as the compose file says; the writable places kekkai needs.
probe=/opt/kekkai/.container-test-probe
if [ "$want_root" = ro ]; then
  if touch "$probe" 2>/dev/null; then rm -f "$probe"; bad "root file system is writable"; else ok "root file system is read-only (touch $probe refused)"; fi
else
  ok "root file system not required read-only"
fi
for dir in /tmp /var/lib/kekkai; do
  if touch "$dir/.container-test-probe" 2>/dev/null; then rm -f "$dir/.container-test-probe"; ok "$dir writable"; else bad "$dir not writable"; fi
done

exit "$failed"
