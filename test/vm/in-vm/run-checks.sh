#!/bin/bash
# Runs inside the Debian 13 VM (test/vm/run.mjs) as root, from a system service, as a CI runner's steps do.
# Each check prints one line "CHECK name PASS|FAIL detail" on the second serial port; the name says what
# the check proves. The VM powers off at the end.
exec 3>/dev/ttyS1
export PATH=/opt/testcell/node/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
T=/opt/testcell
P=$T/project
TESTCELL="node $P/node_modules/@testcell/core/bin/testcell.js"
LEAK='const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))'
W=$(mktemp -d /tmp/checks.XXXXXX)
chmod 1777 "$W"

one_line() { tr '\n' ' ' | tr -s ' ' | cut -c1-1800; }
check() { # NAME ok|no DETAIL
  if [ "$2" = ok ]; then echo "CHECK $1 PASS $(echo "$3" | one_line)" >&3; else echo "CHECK $1 FAIL $(echo "$3" | one_line)" >&3; fi
}
info() { echo "INFO $(echo "$*" | one_line)" >&3; }
# as USER CMD...: an unprivileged user without a login session or sudo, like a CI job step.
as() {
  local user=$1
  shift
  runuser -u "$user" -- env -i HOME="/home/$user" USER="$user" LOGNAME="$user" PATH="$PATH" NO_COLOR=1 "$@"
}
elapsed() { echo $((SECONDS - $1))s; }

cd "$W" || exit 1
info "kernel $(uname -r), $(systemctl --version | head -n1), $(nproc) vCPU, up $(cut -d' ' -f1 /proc/uptime)s, system $(systemctl is-system-running)"
[[ $(uname -r) == 6.12.* ]] && systemctl --version | head -n1 | grep -q 'systemd 257' &&
  check debian13_kernel_6_12_systemd_257_as_pid1 ok "$(uname -r); $(ps -o comm= -p 1); $(systemctl --version | head -n1)" ||
  check debian13_kernel_6_12_systemd_257_as_pid1 no "$(uname -r); $(systemctl --version | head -n1)"

for part in rootless cow setup docker apparmor; do
  start=$SECONDS
  # shellcheck source=/dev/null
  . "$T/vm/checks-$part.sh"
  info "$part checks took $(elapsed "$start")"
done

echo "VMCHECKS_DONE uptime $(cut -d' ' -f1 /proc/uptime)s" >&3
