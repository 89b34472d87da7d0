# Sourced by run-checks.sh. (d) AppArmor, for real: a confined profile without `userns` (mainline AppArmor
# mediates user namespace creation for confined profiles) and the launcher profile setup installs. Ubuntu's
# restriction of *unconfined* processes is an Ubuntu kernel patch, absent here: its effect (a profile that
# takes every capability away after the namespace is made) is simulated to drive the doctor's message.

cat > /etc/apparmor.d/testcell-vm-confined <<'EOF'
abi <abi/4.0>,
include <tunables/global>
profile testcell-vm-confined flags=(attach_disconnected) {
  capability,
  network,
  signal,
  ptrace,
  unix,
  mount,
  umount,
  remount,
  pivot_root,
  /{,**} rwlkm,
  # Exec: a program with its own profile (the launcher copy) changes to it; anything else stays confined.
  /{,**} pix,
}
EOF
apparmor_parser -r -W /etc/apparmor.d/testcell-vm-confined > aa-load.out 2>&1 || info "apparmor_parser: $(cat aa-load.out)"
confined() { as tester aa-exec -p testcell-vm-confined -- "$@"; }

confined $TESTCELL doctor > aa-before.out 2>&1
rc=$?
[ $rc = 1 ] && grep -q '✗ apparmor-userns:.*testcell-vm-confined' aa-before.out && grep -q 'userns' aa-before.out &&
  check apparmor_confined_profile_without_userns_doctor_finding ok "$(sed -n '/^✗/,$p' aa-before.out)" ||
  check apparmor_confined_profile_without_userns_doctor_finding no "rc=$rc $(cat aa-before.out)"

$TESTCELL setup --apparmor > aa-setup.out 2>&1
rc=$?
loaded=$(grep '^testcell ' /sys/kernel/security/apparmor/profiles)
info "setup --apparmor rc=$rc: $(cat aa-setup.out); loaded: $loaded"
confined $TESTCELL doctor > aa-after.out 2>&1
rc1=$?
confined $TESTCELL run -- sh -c 'cat /proc/self/attr/current; echo pid $$' > aa-run.out 2>&1
rc2=$?
[ $rc1 = 0 ] && [ $rc2 = 0 ] && grep -q 'launcher: /usr/local/libexec/testcell/testcell-launcher (the root-owned copy' aa-after.out && grep -q 'pid 2' aa-run.out &&
  check apparmor_setup_profile_lets_the_launcher_copy_make_containers ok "$(grep -E 'launcher|container' aa-after.out) / $(cat aa-run.out)" ||
  check apparmor_setup_profile_lets_the_launcher_copy_make_containers no "rc=$rc1/$rc2 $(cat aa-after.out aa-run.out)"

# A package launcher that differs from the installed copy (an upgrade) is never replaced by the stale copy.
cp /usr/local/libexec/testcell/testcell-launcher "$W/launcher.bak"
printf 'x' >> /usr/local/libexec/testcell/testcell-launcher
confined $TESTCELL doctor > aa-stale.out 2>&1
rc=$?
cp "$W/launcher.bak" /usr/local/libexec/testcell/testcell-launcher
[ $rc = 1 ] && ! grep -q 'root-owned copy' aa-stale.out && check apparmor_stale_launcher_copy_is_not_used ok "$(grep launcher aa-stale.out)" ||
  check apparmor_stale_launcher_copy_is_not_used no "rc=$rc $(cat aa-stale.out)"

$TESTCELL setup --undo > aa-undo.out 2>&1
rc=$?
[ $rc = 0 ] && [ ! -e /usr/local/libexec/testcell ] && [ ! -e /etc/apparmor.d/testcell ] && ! grep -q '^testcell ' /sys/kernel/security/apparmor/profiles &&
  check apparmor_undo_removes_copy_and_unloads_profile ok "$(cat aa-undo.out)" || check apparmor_undo_removes_copy_and_unloads_profile no "rc=$rc $(cat aa-undo.out)"
apparmor_parser -R /etc/apparmor.d/testcell-vm-confined > /dev/null 2>&1
rm -f /etc/apparmor.d/testcell-vm-confined

# Simulated Ubuntu >= 23.10: its unprivileged_userns profile allows the namespace, then denies capabilities.
cat > "$W/unprivileged_userns" <<'EOF'
abi <abi/4.0>,
include <tunables/global>
profile unprivileged_userns flags=(attach_disconnected) {
  userns,
  audit deny capability,
  network,
  signal,
  ptrace,
  unix,
  /{,**} rwlkm,
  /{,**} ix,
}
EOF
apparmor_parser -r "$W/unprivileged_userns" > aa-sim.out 2>&1 || info "apparmor_parser: $(cat aa-sim.out)"
as tester aa-exec -p unprivileged_userns -- $TESTCELL doctor > aa-ubuntu.out 2>&1
rc=$?
[ $rc = 1 ] && grep -q '✗ ubuntu-userns-restriction:' aa-ubuntu.out && grep -q 'testcell setup' aa-ubuntu.out &&
  check apparmor_simulated_ubuntu_restriction_doctor_names_it_and_setup ok "$(sed -n '/^✗/,$p' aa-ubuntu.out)" ||
  check apparmor_simulated_ubuntu_restriction_doctor_names_it_and_setup no "rc=$rc $(cat aa-ubuntu.out)"
# Put Debian's own (complain-mode) profile back.
apparmor_parser -r /etc/apparmor.d/unprivileged_userns > /dev/null 2>&1
