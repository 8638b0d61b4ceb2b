#!/bin/sh
# Second stage of the kernel lab, PID 1 inside the overlay root (the host's
# own /bin/sh). Prepares what a booted system would have, runs the job's one
# command with the host's environment and working directory, records its
# exit status in the job folder, and powers the guest off.
#
# The job folder (/nodeswan-lab, a writable 9p share) holds:
#   env.sh      exports of the host environment (written by run.ts)
#   command.sh  the command line, shell-quoted (written by run.ts)
#   stdout, stderr  the command's output, tailed live by the host
#   status      the command's exit status, written last

job=/nodeswan-lab
# busybox-static is one of the lab's packages; the host may lack mount(8).
mount() { /bin/busybox mount "$@"; }

# Fresh /tmp and /run: the lower layer is the host's, which the guest must
# not see (stale sockets, pid files); netns mounts need a private /run.
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# devtmpfs lacks these links; bash process substitution needs /dev/fd.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr

/bin/busybox hostname nodeswan-lab
ip link set lo up

. "$job/env.sh"

# A working directory under /tmp or /run was hidden by the fresh tmpfs:
# share it again from the host (read-only, with a writable overlay).
if [ ! -d "$NODESWAN_LAB_CWD" ]; then
  mkdir -p /run/nodeswan-lab/cwd-lower /run/nodeswan-lab/cwd-upper /run/nodeswan-lab/cwd-work "$NODESWAN_LAB_CWD"
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro cwd /run/nodeswan-lab/cwd-lower &&
    mount -t overlay overlay -o lowerdir=/run/nodeswan-lab/cwd-lower,upperdir=/run/nodeswan-lab/cwd-upper,workdir=/run/nodeswan-lab/cwd-work "$NODESWAN_LAB_CWD"
fi

# Marks the moment the guest is ready (the host reports boot time from it).
: >"$job/booted"

if cd "$NODESWAN_LAB_CWD"; then
  /bin/sh "$job/command.sh" </dev/null >>"$job/stdout" 2>>"$job/stderr"
  status=$?
else
  echo "nodeswan-lab: cannot enter $NODESWAN_LAB_CWD in the guest" >>"$job/stderr"
  status=125
fi

echo "$status" >"$job/status.part"
mv "$job/status.part" "$job/status"
sync
exec /bin/busybox poweroff -f
