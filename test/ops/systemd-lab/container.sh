#!/bin/sh
# Runs JOBDIR/job.sh under systemd as PID 1 of a new PID + mount namespace
# (a "container" to systemd), inside the kernel lab's default guest, whose
# own PID 1 is a shell:   container.sh JOBDIR   (JOBDIR outside /tmp and /run,
# which are fresh in the container)
# job.sh runs from a oneshot unit with output appended to JOBDIR/output;
# systemd then exits with job.sh's exit status (SuccessAction/FailureAction
# =exit-force), which becomes this script's. systemd's own messages go to
# JOBDIR/systemd.log.
set -e
jobdir=$1
: >"$jobdir/output"
cat >"$jobdir/container-job.service" <<UNIT
[Unit]
Description=test job under systemd
After=basic.target
Wants=basic.target
SuccessAction=exit-force
FailureAction=exit-force

[Service]
Type=oneshot
ExecStart=/bin/sh $jobdir/job.sh
StandardOutput=append:$jobdir/output
StandardError=append:$jobdir/output
UNIT

exec unshare --pid --fork --mount --propagation private /bin/sh -c '
set -e
mount -t proc proc /proc
mount -t tmpfs -o mode=755 tmpfs /run
# systemd-tmpfiles empties /tmp at boot: give it its own, the guest keeps its.
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p /run/systemd/system
cp "$1/container-job.service" /run/systemd/system/
exec env container=nodeswan-lab /lib/systemd/systemd --unit=container-job.service --show-status=no --log-target=console
' container "$jobdir" >"$jobdir/systemd.log" 2>&1 </dev/null
