#!/bin/bash
# Replaces the image's own files (packaging/image/rootfs) and its hardware profiles in a built sluice-disk.raw,
# without rebuilding it or mounting anything (debugfs writes into the ext4 file system): for working on the
# boot-time scripts. The package itself is not replaced; ./sluice image rebuilds everything.
#   patch-image.sh IMAGE_DIR
set -euo pipefail
disk=${1:?usage: patch-image.sh IMAGE_DIR}/sluice-disk.raw
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$disk" ] || { echo "patch-image.sh: no $disk" >&2; exit 2; }
commands=$(mktemp)
trap 'rm -f "$commands"' EXIT
add() {  # add LOCAL_FILE IMAGE_PATH
    printf 'rm %s\nwrite %s %s\nsif %s mode 0%o\n' "$2" "$1" "$2" "$2" "$((0100000 | 0$(stat -c %a "$1")))" >> "$commands"
}
(cd "$here/rootfs" && find . -type f) | while read -r file; do add "$here/rootfs/${file#./}" "/${file#./}"; done
for profile in "$here"/../../hardware-profiles/*.profile; do
    add "$profile" "/usr/lib/sluice/hardware-profiles/$(basename "$profile")"
done
debugfs -w -f "$commands" "$disk" > /dev/null 2>&1
echo "patch-image.sh: $(grep -c '^write' "$commands") files written into $disk"
