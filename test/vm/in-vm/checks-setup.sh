# Sourced by run-checks.sh. (b) `testcell setup`, `--dry-run` and `--undo`, each twice in a row, for tester3
# (no linger, no session) on a host whose site configuration delegates only cpu to tester3's user manager.

mkdir -p /etc/systemd/system/user@1002.service.d
printf '[Service]\nDelegate=no\nDelegate=cpu\n' > /etc/systemd/system/user@1002.service.d/10-site.conf
systemctl daemon-reload

# Everything setup may touch, so "the same result" and "nothing left" are compared, not assumed.
host_state() {
  for f in /usr/local/libexec /usr/local/libexec/testcell /etc/apparmor.d/testcell /etc/systemd/system/user@.service.d \
    /etc/sysctl.d /var/lib/testcell /var/lib/systemd/linger; do
    [ -e "$f" ] && find "$f" -printf '%p %m %u ' -type f -exec sha256sum {} \; 2>/dev/null | sort
  done
  grep -c '^testcell ' /sys/kernel/security/apparmor/profiles
  systemctl show user@1002.service -p Delegate -p DelegateControllers -p ActiveState
}

settled() { # tester3's manager is neither starting nor stopping
  for _ in $(seq 1 100); do
    case $(systemctl show -p ActiveState --value user@1002.service) in activating | deactivating | reloading) sleep 0.2 ;; *) return ;; esac
  done
}
s0=$(host_state)
as tester3 $TESTCELL doctor > setup-doctor-before.out 2>&1
info "tester3 before setup: $(grep -E '^(ok|FAIL) +memory' setup-doctor-before.out)"

$TESTCELL setup --user tester3 --dry-run > dry1.out 2>&1
rc1=$?
$TESTCELL setup --user tester3 --dry-run > dry2.out 2>&1
rc2=$?
[ $rc1 = 0 ] && [ $rc2 = 0 ] && cmp -s dry1.out dry2.out && [ "$(host_state)" = "$s0" ] && grep -q 'would enable linger for tester3' dry1.out &&
  grep -q 'would write /etc/systemd/system/user@.service.d/60-testcell.conf' dry1.out &&
  check setup_dry_run_twice_prints_same_plan_and_changes_nothing ok "$(cat dry1.out)" ||
  check setup_dry_run_twice_prints_same_plan_and_changes_nothing no "rc=$rc1/$rc2 $(cat dry1.out) /// $(diff dry1.out dry2.out) /// $(diff <(echo "$s0") <(host_state))"

$TESTCELL setup --user tester3 > setup1.out 2>&1
rc=$?
settled
s1=$(host_state)
[ $rc = 0 ] && grep -q '+ write /etc/systemd/system/user@.service.d/60-testcell.conf' setup1.out && grep -q '+ enable linger for tester3' setup1.out &&
  grep -q 'DelegateControllers=.*memory' <<< "$s1" && [ -e /var/lib/systemd/linger/tester3 ] &&
  check setup_delegates_memory_enables_linger_and_prints_each_change ok "$(cat setup1.out)" ||
  check setup_delegates_memory_enables_linger_and_prints_each_change no "rc=$rc $(cat setup1.out) /// $s1"

$TESTCELL setup --user tester3 > setup2.out 2>&1
rc=$?
settled
[ $rc = 0 ] && grep -q '^nothing to change' setup2.out && [ "$(host_state)" = "$s1" ] &&
  check setup_second_run_changes_nothing ok "$(cat setup2.out)" ||
  check setup_second_run_changes_nothing no "rc=$rc $(cat setup2.out) /// $(diff <(echo "$s1") <(host_state))"

# What setup is for: tester3's tests now get memory limits, with no sudo.
for _ in $(seq 1 60); do [ -S /run/user/1002/bus ] && break; sleep 0.5; done
as tester3 $TESTCELL run --memory 64MiB -- node -e "$LEAK" > t3.out 2> t3.err
rc=$?
[ $rc = 137 ] && grep -q 'killed: memory limit 64 MiB exceeded (peak' t3.err &&
  check setup_gives_tester3_rootless_memory_limits ok "$(cat t3.err)" || check setup_gives_tester3_rootless_memory_limits no "rc=$rc $(cat t3.err)"

$TESTCELL setup --undo > undo1.out 2>&1
rc1=$?
settled
s3=$(host_state)
$TESTCELL setup --undo > undo2.out 2>&1
rc2=$?
settled
s4=$(host_state)
[ $rc1 = 0 ] && [ "$s3" = "$s0" ] && check setup_undo_restores_the_host_exactly ok "$(cat undo1.out)" ||
  check setup_undo_restores_the_host_exactly no "rc=$rc1 $(cat undo1.out) /// $(diff <(echo "$s0") <(echo "$s3"))"
[ $rc2 = 0 ] && grep -q 'nothing to undo' undo2.out && [ "$s4" = "$s0" ] && check setup_second_undo_changes_nothing ok "$(cat undo2.out)" ||
  check setup_second_undo_changes_nothing no "rc=$rc2 $(cat undo2.out) /// $(diff <(echo "$s0") <(echo "$s4"))"

rm -rf /etc/systemd/system/user@1002.service.d
systemctl daemon-reload
