#!/bin/busybox sh
# PID 1 of the kernel lab's initramfs (runs under the guest kernel).
#
# Loads the few modules needed to reach the host's root over 9p, stacks a
# tmpfs overlay on it (the host root is shared read-only), mounts the job
# folder, and then this very process (PID 1) execs chroot: the kernel's
# module autoloader resolves /sbin/modprobe against PID 1's root, so a chroot
# done by a child would leave autoloading of esp4, xfrm_user, ... broken.

/bin/busybox --install -s /bin
export PATH=/bin

fail() {
  echo "nodeswan-lab init: $*" >/dev/console
  poweroff -f
}

mount -t proc proc /proc || fail "mount /proc"
mount -t sysfs sysfs /sys || fail "mount /sys"
mount -t devtmpfs devtmpfs /dev || fail "mount /dev"

# Dependency order, computed from modules.dep when the image was built.
while read -r module; do
  insmod "/modules/$module.ko" || fail "insmod $module"
done </modules/order

mkdir -p /lower /scratch /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro hostroot /lower ||
  fail "mount the host root over 9p"
mount -t tmpfs -o mode=755 tmpfs /scratch || fail "mount the overlay's tmpfs"
mkdir -p /scratch/upper /scratch/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/scratch/upper,workdir=/scratch/work /newroot ||
  fail "mount the overlay root"

mkdir -p /newroot/nodeswan-lab
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 job /newroot/nodeswan-lab ||
  fail "mount the job folder"

mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev

exec chroot /newroot /bin/sh /nodeswan-lab/stage2.sh
