#!/usr/bin/env bash
# Boots a throwaway VM with a pure cgroup v2 hierarchy and runs test/v2/in-vm.sh there (see
# ../shared/tools/qemu-cgroup-v2/README.md). Only what the engine needs goes in: core and the launcher.
set -euo pipefail
cd "$(dirname "$0")/../.."
tool=../shared/tools/qemu-cgroup-v2/run-v2-checks.sh
[ -x "$tool" ] || tool=$(dirname "$PWD")/shared/tools/qemu-cgroup-v2/run-v2-checks.sh
make -s -C native static
stage=$(mktemp -d)
chmod 755 "$stage"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/packages/core" "$stage/native/build"
cp -r packages/core/bin packages/core/dist packages/core/package.json "$stage/packages/core/"
cp native/build/testcell-launcher "$stage/native/build/testcell-launcher"
exec bash "$tool" --node --include "$stage:/project" --test-script test/v2/in-vm.sh --timeout 600
