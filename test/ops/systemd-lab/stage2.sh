#!/bin/sh
# Kernel lab stage 2 that boots systemd as PID 1 (used by the systemd e2e
# test through runInLab's stage2Script option; the lab's default boot is
# untouched). Like test/lab/guest-stage2.sh it runs the job's one command
# and records its exit status in the job folder, but from a systemd service
# (nodeswan-lab-job.service), so the command can use systemctl.

job=/nodeswan-lab
mount() { /bin/busybox mount "$@"; }

mount -t tmpfs -o mode=1777 tmpfs /tmp
# devtmpfs lacks these links; bash process substitution needs /dev/fd.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
/bin/busybox hostname nodeswan-lab

# The overlay root is writable (tmpfs upper): units go to /etc.
units=/etc/systemd/system
cat >"$units/nodeswan-lab-job.service" <<UNIT
[Unit]
Description=kernel lab job (runs the test command, then powers off)
After=basic.target
Wants=basic.target

[Service]
Type=oneshot
ExecStart=/bin/sh $job/systemd-job.sh
StandardOutput=journal+console
UNIT

cat >"$job/systemd-job.sh" <<'JOB'
job=/nodeswan-lab
. "$job/env.sh"
ip link set lo up
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
JOB

# If systemd cannot start at all, say so in the job's stderr instead of
# leaving the host waiting for its timeout.
exec /lib/systemd/systemd --unit=nodeswan-lab-job.service --log-target=console --show-status=no
