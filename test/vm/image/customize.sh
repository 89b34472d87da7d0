#!/bin/sh
# Turns the mmdebstrap'd Debian 13 tree in "$1" into the test VM's root (test/vm/lib/debian13.mjs runs it
# as root on the host; everything here is part of the image's cache key). The checks themselves come on a
# second disk at boot (/opt/testcell), so the image is reused across runs.
set -eu
root=$1
in_root() { chroot "$root" "$@"; }

echo testcell-vm > "$root/etc/hostname"
printf '127.0.0.1 localhost testcell-vm\n' > "$root/etc/hosts"
in_root systemd-machine-id-setup >/dev/null 2>&1
cat > "$root/etc/fstab" <<'FSTAB'
/dev/vda / ext4 rw,errors=remount-ro 0 1
FSTAB
mkdir -p "$root/opt/testcell"

# Users without sudo (not installed at all): tester has linger, like GitHub's runner user; tester2 has
# neither linger nor a session; tester3 is the one `testcell setup` is tried on.
for u in tester:1000 tester2:1001 tester3:1002; do
  in_root useradd --create-home --uid "${u#*:}" --shell /bin/bash "${u%:*}"
done
mkdir -p "$root/var/lib/systemd/linger"
touch "$root/var/lib/systemd/linger/tester"

# Quiet, fast boots: no gettys, no timers, no networking for Docker (no registry is reachable anyway).
for unit in serial-getty@ttyS0.service serial-getty@ttyS1.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer \
  dpkg-db-backup.timer e2scrub_all.timer fstrim.timer systemd-tmpfiles-clean.timer; do
  in_root systemctl mask "$unit" >/dev/null 2>&1
done
mkdir -p "$root/etc/docker"
printf '{ "iptables": false, "ip6tables": false, "bridge": "none", "ip-masq": false }\n' > "$root/etc/docker/daemon.json"

# The checks run once the system is up, as a root service like a CI runner's, and power the VM off
# whatever happens. They come on the second disk; this wrapper in the image mounts it if needed.
cat > "$root/usr/local/sbin/testcell-vm-checks" <<'WRAPPER'
#!/bin/sh
mountpoint -q /opt/testcell || mount /dev/vdb /opt/testcell
if [ -r /opt/testcell/vm/run-checks.sh ]; then
  /bin/bash /opt/testcell/vm/run-checks.sh
else
  echo "CHECK debian13_vm_data_disk FAIL /opt/testcell/vm/run-checks.sh is missing: $(ls -l /dev/vd* 2>&1) $(journalctl -b -u opt-testcell.mount --no-pager 2>&1 | tail -n 5)" > /dev/ttyS1
fi
sync
systemctl poweroff --force --force
WRAPPER
chmod 755 "$root/usr/local/sbin/testcell-vm-checks"
cat > "$root/etc/systemd/system/testcell-checks.service" <<'UNIT'
[Unit]
Description=testcell VM checks (/opt/testcell/vm/run-checks.sh)
After=docker.service user@1000.service systemd-user-sessions.service local-fs.target
Wants=docker.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/testcell-vm-checks
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
UNIT
in_root systemctl enable testcell-checks.service >/dev/null 2>&1

# Only the kernel modules a VM can use: the image stays small and quick to write.
mods=$(ls -d "$root"/usr/lib/modules/*)
rm -rf "$mods/kernel/drivers/gpu" "$mods/kernel/drivers/media" "$mods/kernel/drivers/net/wireless" "$mods/kernel/drivers/infiniband" \
  "$mods/kernel/sound" "$mods/kernel/drivers/staging" "$mods/kernel/drivers/iio" "$mods/kernel/drivers/bluetooth" "$mods/kernel/net/bluetooth" \
  "$mods/kernel/drivers/hid" "$mods/kernel/drivers/usb" "$mods/kernel/drivers/input" "$mods/kernel/net/mac80211" "$mods/kernel/net/wireless"
in_root depmod "$(basename "$mods")"
