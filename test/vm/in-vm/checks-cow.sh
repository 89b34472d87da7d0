# Sourced by run-checks.sh. (e) Kernel 6.12 keeps overlayfs's user.* xattrs on tmpfs: the rootless
# copy-on-write root (upper on a tmpfs, userxattr) can delete a directory that exists in the lower layer.

info "runuser gives a session-less process: $(as tester cat /proc/self/cgroup)"
as tester sh -c 'rm -rf ~/cow && mkdir -p ~/cow/dir && echo a > ~/cow/dir/a && echo old > ~/cow/file'
out=$(as tester $TESTCELL run -w /home/tester -- sh -c 'rm -r cow/dir && echo new > cow/file && mkdir cow/made && ls cow && cat cow/file && grep -o "userxattr" /proc/mounts | head -n1' 2>&1)
rc=$?
host=$(ls /home/tester/cow | tr '\n' ' ')$(cat /home/tester/cow/file)
[ $rc = 0 ] && [ "$(echo "$out" | tr '\n' ' ')" = "file made new userxattr " ] && [ "$host" = "dir file old" ] &&
  check rootless_cow_root_deletes_lower_dir_on_tmpfs_upper_with_user_xattrs ok "inside: $(echo "$out" | tr '\n' ' '); host after: $host" ||
  check rootless_cow_root_deletes_lower_dir_on_tmpfs_upper_with_user_xattrs no "rc=$rc inside: $out; host after: $host"
