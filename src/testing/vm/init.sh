#!/bin/busybox sh
# PID 1 of the test VM (src/testing/vm/run.ts), from our initramfs. It builds the root
# the tests run in and hands over to src/testing/vm/inside.ts:
#   /                this machine's / over 9p, read-only, under an overlay whose upper
#                    layer is a tmpfs (writes stay in the VM's memory)
#   /proc /sys /dev  the VM's own; /sys/fs/cgroup: cgroup2 with every controller enabled
#   /tmp /run /root /var/lib/mydocker   tmpfs (state roots need a real filesystem:
#                    overlayfs refuses an overlay as the upper layer of a container)
#   the checkout     shared on its own, read-only under a tmpfs-backed overlay, at its
#                    own path (which may be under /tmp or /root)
# The host passes MYDOCKER_VM_REPO (the checkout to run), MYDOCKER_TIME_SCALE (for the
# harness's waits), MYDOCKER_VM_ONLY (a job filter)
# and MYDOCKER_VM_SCRIPT (a shell script to run instead of the tests, for debugging) on
# the kernel command line: the kernel hands unknown name=value words to init as its
# environment.
# Everything the VM says goes to the serial console; the last line is
# "mydocker-vm: exit N", then the VM powers off (busybox poweroff -f: reboot(2) at once).

/bin/busybox --install -s /bin
export PATH=/bin

poweroff_now() {
  sync
  poweroff -f
}

fail() {
  echo "mydocker-vm: init: $*"
  echo "mydocker-vm: exit 125"
  poweroff_now
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for ko in $(cat /modules/order); do
  insmod "/modules/$ko" || fail "insmod $ko failed"
done

mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose hostroot /lower || fail "mounting the host's / over 9p failed"
mount -t tmpfs -o mode=0755 rw /rw || fail "tmpfs"
mkdir -p /rw/upper /rw/work /newroot
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work root /newroot || fail "the overlay root failed"

R=/newroot
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 shm $R/dev/shm
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup || fail "mounting cgroup2 failed"
for c in $(cat $R/sys/fs/cgroup/cgroup.controllers); do
  echo "+$c" >$R/sys/fs/cgroup/cgroup.subtree_control || fail "enabling the $c controller failed"
done
for d in tmp run root var/lib/mydocker; do
  mkdir -p $R/$d
  mount -t tmpfs -o mode=0755 tmpfs $R/$d
done
chmod 1777 $R/tmp

# The checkout, shared on its own (it may lie under one of the tmpfs above), read-only
# under an overlay of its own: the tests write bundles and scratch files into it.
mkdir -p /checkout /rw/checkout-upper /rw/checkout-work "$R$MYDOCKER_VM_REPO"
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose checkout /checkout || fail "mounting the checkout over 9p failed"
mount -t overlay -o lowerdir=/checkout,upperdir=/rw/checkout-upper,workdir=/rw/checkout-work checkout "$R$MYDOCKER_VM_REPO" || fail "the checkout's overlay failed"
[ -f "$R$MYDOCKER_VM_REPO/package.json" ] || fail "no checkout at $MYDOCKER_VM_REPO"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8
exec switch_root $R /bin/sh -c '
  cd "$MYDOCKER_VM_REPO" || exit 125
  if [ -n "$MYDOCKER_VM_SCRIPT" ]; then sh "$MYDOCKER_VM_SCRIPT"; else node --import tsx src/testing/vm/inside.ts; fi
  echo "mydocker-vm: exit $?"
  sync
  # reboot(2) powers off before it returns, so PID 1 never exits (which would panic).
  exec /bin/busybox poweroff -f'
