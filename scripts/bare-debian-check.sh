#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs both README commands (scripts/demo.sh, then scripts/test.sh with CI=true)
# as root in a bare Debian 12 root filesystem: debootstrap's minbase variant with
# nothing added, so every package either command uses must come from scripts/deps.sh.
# /dev is a minimal one, as a container runtime gives by default: no /dev/net/tun,
# so the tests that need a device or a privilege the root lacks must skip and say why.
# The root filesystem is made once and kept as a tarball; each run starts from a
# fresh copy, and each command runs in its own fresh clone of this repository's
# HEAD (so the test command cannot lean on what the demo built).
#   sudo scripts/bare-debian-check.sh            # logs in /tmp/sockkit-bare/*.log
#   sudo scripts/bare-debian-check.sh PRESET...  # the test command with those presets only
#                                                # (scripts/test.sh PRESET...), no demo
# Needs root, debootstrap and git on the host, and a Debian mirror
# (SOCKKIT_MIRROR, default http://deb.debian.org/debian).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${SOCKKIT_BARE_DIR:-/tmp/sockkit-bare}
mirror=${SOCKKIT_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" -eq 0 ] || { echo "bare-debian-check: needs root (chroot, mounts)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "bare-debian-check: apt-get install debootstrap" >&2; exit 1; }
mkdir -p "$work"
tarball=$work/bookworm-minbase.tar
if [ ! -f "$tarball" ]; then
  echo "bare-debian-check: debootstrap --variant=minbase bookworm (once)"
  rm -rf "$work/base"
  debootstrap --variant=minbase bookworm "$work/base" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log"; exit 1; }
  tar -C "$work/base" -cf "$tarball" .
  rm -rf "$work/base"
fi

root=$work/root
cleanup() {
  for m in run/netns proc sys dev/shm dev/pts dev; do umount -R -l "$root/$m" 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
rm -rf "$root" && mkdir -p "$root" && tar -C "$root" -xf "$tarball"
for name in demo test; do git clone -q "$repo" "$root/root/sockkit-$name"; done
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
# A container's /dev: the usual character devices, pts and shm; no net/tun, no kvm.
mount -t tmpfs -o mode=755,nosuid dev "$root/dev"
for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<<"$node"
  mknod -m 666 "$root/dev/$name" c "$major" "$minor"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
cp /etc/resolv.conf "$root/etc/resolv.conf"

status=0
commands=(scripts/demo.sh scripts/test.sh)
[ $# -gt 0 ] && commands=("scripts/test.sh $*")
for cmd in "${commands[@]}"; do
  name=$(basename "${cmd%% *}" .sh)
  log=$work/$name.log
  echo "bare-debian-check: $cmd (log: $log)"
  start=$SECONDS
  if chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin CI=true \
       bash -c "cd /root/sockkit-$name && $cmd" </dev/null >"$log" 2>&1; then
    echo "bare-debian-check: $cmd passed in $((SECONDS - start)) s"
    grep -hE "\(Skipped\)|skipped:" "$log" | sed "s/^[[:space:]]*[0-9]* - //" | sort | uniq -c | head -n 30 || true
  else
    echo "bare-debian-check: $cmd FAILED after $((SECONDS - start)) s; the end of its log:"
    tail -n 30 "$log"
    status=1
  fi
done
exit "$status"
