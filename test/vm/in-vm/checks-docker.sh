# Sourced by run-checks.sh. (c) Docker job containers, as CI runs them (GitHub `container:` jobs, GitLab's
# docker executor): the workspace bind-mounted, Node from the host, an image imported from a directory.

# A small job image: busybox, Node's libraries, a non-root user; Node and the project come in as mounts.
J=/opt/jobroot
rm -rf $J && mkdir -p $J/bin $J/etc $J/tmp $J/work $J/opt/node && chmod 1777 $J/tmp
cp /usr/bin/busybox $J/bin/busybox
for a in sh cat ls id grep mkdir rm echo true sleep env tr head; do ln -s busybox "$J/bin/$a"; done
# Node's libraries and those of the project's native modules (rolldown's binding), as a real Node image has.
for bin in $T/node/bin/node $(find $P/node_modules -name '*.node'); do ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'; done | sort -u | while read -r lib; do
  mkdir -p "$J$(dirname "$lib")" && cp -L "$lib" "$J$lib"
done
printf 'root:x:0:0:root:/root:/bin/sh\nci:x:1000:1000:ci:/tmp:/bin/sh\n' > $J/etc/passwd
printf 'root:x:0:\nci:x:1000:\n' > $J/etc/group
start=$SECONDS
tar -C $J -c . | docker import - testcell-job:latest > /dev/null 2> import.err
info "docker $(docker version --format '{{.Server.Version}}' 2>&1); job image imported in $(elapsed "$start"): $(cat import.err)"

FLAGS=(--cap-add SYS_ADMIN --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined)
job() { # docker run flags... -- command: a job container with the workspace and Node mounted
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  docker run --rm --network none -v "$P:/work" -v "$T/node:/opt/node:ro" -w /work -e PATH=/opt/node/bin:/bin -e HOME=/tmp -e NO_COLOR=1 \
    "${flags[@]}" testcell-job:latest "$@"
}
TC='node /work/node_modules/@testcell/core/bin/testcell.js'

job -e GITHUB_ACTIONS=true -- $TC doctor > d-default.out 2>&1
rc=$?
echo "=== testcell doctor in a default GitHub container job (README, Where it runs)"
cat d-default.out
[ $rc = 1 ] && grep -q '✗ seccomp:' d-default.out && grep -q 'options: --privileged' d-default.out && grep -q 'systempaths=unconfined' d-default.out &&
  check docker_default_job_container_doctor_names_seccomp_and_prints_github_fix ok "$(sed -n '/^✗/,$p' d-default.out)" ||
  check docker_default_job_container_doctor_names_seccomp_and_prints_github_fix no "rc=$rc $(cat d-default.out)"

job --user 1000 -e GITLAB_CI=true -- $TC doctor > d-user.out 2>&1
rc=$?
[ $rc = 1 ] && grep -q '✗ seccomp:' d-user.out && grep -q 'privileged = true' d-user.out &&
  check docker_default_non_root_doctor_names_seccomp_and_prints_gitlab_fix ok "$(sed -n '/^✗/,$p' d-user.out)" ||
  check docker_default_non_root_doctor_names_seccomp_and_prints_gitlab_fix no "rc=$rc $(cat d-user.out)"

job --user 1000 --security-opt seccomp=unconfined -e REMOTE_CONTAINERS=true -- $TC doctor > d-aa.out 2>&1
rc=$?
# Kernel 6.12 mediates user namespaces for confined profiles: docker-default refuses the namespace itself.
[ $rc = 1 ] && grep -Eq '✗ (apparmor-userns|lsm-mount):.*docker-default' d-aa.out && grep -q '"apparmor=unconfined"' d-aa.out &&
  check docker_apparmor_default_doctor_names_apparmor_and_prints_devcontainer_fix ok "$(sed -n '/^✗/,$p' d-aa.out)" ||
  check docker_apparmor_default_doctor_names_apparmor_and_prints_devcontainer_fix no "rc=$rc $(cat d-aa.out)"

# Root with the capabilities it needs but Docker's AppArmor profile: mount is refused (deny mount).
job --cap-add SYS_ADMIN --cap-add NET_ADMIN --security-opt seccomp=unconfined -- $TC doctor > d-mount.out 2>&1
rc=$?
[ $rc = 1 ] && grep -q '✗ lsm-mount:.*docker-default' d-mount.out && grep -q 'failed with EACCES at stage mount' d-mount.out &&
  check docker_root_apparmor_mount_denial_doctor_names_it ok "$(sed -n '/^✗/,/^$/p' d-mount.out)" ||
  check docker_root_apparmor_mount_denial_doctor_names_it no "rc=$rc $(cat d-mount.out)"

# Root without CAP_SYS_ADMIN/CAP_NET_ADMIN builds its containers in a user namespace instead.
job --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined -- $TC run -- sh -c 'echo pid $$ uid $(id -u)' > r-nocap.out 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'pid 2 uid 0' r-nocap.out && check docker_root_without_capabilities_runs_in_user_namespace ok "$(cat r-nocap.out)" ||
  check docker_root_without_capabilities_runs_in_user_namespace no "rc=$rc $(cat r-nocap.out)"

job --user 1000 --security-opt seccomp=unconfined --security-opt apparmor=unconfined -- $TC doctor > d-proc.out 2>&1
rc=$?
[ $rc = 1 ] && grep -q '✗ masked-proc:' d-proc.out && grep -q 'systempaths=unconfined' d-proc.out &&
  check docker_masked_proc_doctor_names_systempaths_fix ok "$(sed -n '/^✗/,$p' d-proc.out)" ||
  check docker_masked_proc_doctor_names_systempaths_fix no "rc=$rc $(cat d-proc.out)"

job "${FLAGS[@]}" -e TESTCELL_VM_MEMORY= -- node node_modules/vitest/vitest.mjs run tests/where.test.js > v-flags.out 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'Tests  2 passed' v-flags.out && check docker_documented_flags_vitest_container_file_runs ok "$(grep -E 'Test Files|Tests ' v-flags.out)" ||
  check docker_documented_flags_vitest_container_file_runs no "rc=$rc $(tail -n 30 v-flags.out)"
job "${FLAGS[@]}" --user 1000 -- $TC run -- sh -c 'echo pid $$ uid $(id -u)' > r-flags.out 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'pid 2 uid 0' r-flags.out && check docker_documented_flags_rootless_container_runs ok "$(cat r-flags.out)" ||
  check docker_documented_flags_rootless_container_runs no "rc=$rc $(cat r-flags.out)"

job "${FLAGS[@]}" -- $TC run --memory 64MiB -- true > ro.out 2>&1
rc=$?
[ $rc = 125 ] && grep -q 'read-only' ro.out && grep -q -- '--privileged' ro.out &&
  check docker_readonly_cgroupfs_refuses_budget_and_says_privileged ok "$(cat ro.out)" ||
  check docker_readonly_cgroupfs_refuses_budget_and_says_privileged no "rc=$rc $(cat ro.out)"

# Privileged, as root, cgroup v2 with a private cgroup namespace (GitLab.com's runners, dind): the nesting step.
job --privileged -- sh -c "$TC run --memory 64MiB -- node -e '$LEAK'; echo rc=\$?; $TC run --memory 64MiB -- cat /proc/self/cgroup; cat /sys/fs/cgroup/cgroup.subtree_control; ls /sys/fs/cgroup/supervisor/cgroup.procs" > priv.out 2>&1
grep -q 'killed: memory limit 64 MiB exceeded (peak' priv.out && grep -q '^rc=137' priv.out && grep -Eq '^0::/testcell-[0-9]+-[0-9a-f]+$' priv.out &&
  grep -q 'memory pids' priv.out && check docker_privileged_root_budget_enforced_by_nesting ok "$(cat priv.out)" ||
  check docker_privileged_root_budget_enforced_by_nesting no "$(cat priv.out)"

job --privileged -- node node_modules/vitest/vitest.mjs run > v-priv.out 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'killed: memory limit 64 MiB exceeded (peak [^)]*) while running tests/leak.test.js' v-priv.out && grep -q 'Test Files  1 failed | 1 passed' v-priv.out &&
  check docker_privileged_vitest_leak_killed_by_budget ok "$(grep -E 'killed:|Test Files' v-priv.out | head -n 3)" ||
  check docker_privileged_vitest_leak_killed_by_budget no "rc=$rc $(tail -n 40 v-priv.out)"

# A GitHub container job runs each step with `docker exec`: steps after the nesting step still start.
cid=$(docker run -d --privileged --network none -v "$P:/work" -v "$T/node:/opt/node:ro" -w /work -e PATH=/opt/node/bin:/bin testcell-job:latest sleep 600)
docker exec "$cid" $TC run --memory 64MiB -- true > exec1.out 2>&1
rc1=$?
docker exec "$cid" sh -c 'echo step two; cat /proc/self/cgroup' > exec2.out 2>&1
rc2=$?
docker rm -f "$cid" > /dev/null 2>&1
[ $rc1 = 0 ] && [ $rc2 = 0 ] && grep -q 'step two' exec2.out && check docker_exec_steps_still_start_after_nesting ok "$(cat exec2.out)" ||
  check docker_exec_steps_still_start_after_nesting no "rc=$rc1/$rc2 $(cat exec1.out exec2.out)"
