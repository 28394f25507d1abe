#!/bin/bash
# Builds the Sluice disk image from Debian packages: Debian 12 (bookworm) by mmdebstrap from Debian's archive, with
# its kernel, systemd, the libraries the box's drivers open (DPDK 22.11 with the e1000 and af_packet PMDs, libxdp)
# and the box's own package (packaging/deb), configured as the seed's box: GigabitEthernet0/8/0 is the e1000 at
# PCI 00:08.0 through DPDK (hardware profile qemu-e1000), the pods pod1 and pod2 behind tap2 and tap3.
#
#   build-image.sh SLUICE.deb OUT_DIR
#
# OUT_DIR gets:
#   sluice-disk.raw   the root file system, ext4 labelled sluice-root over the whole disk (no partition table)
#   vmlinuz, initrd.img   the image's own kernel and initramfs, for QEMU's -kernel/-initrd (boot-test.sh)
# Needs root (mmdebstrap's root mode: device nodes, ownership) and network access to deb.debian.org; makes no loop
# device and mounts nothing (mkfs.ext4 -d fills the file system from the directory).
set -euo pipefail

deb=$(readlink -f "${1:?usage: build-image.sh SLUICE.deb OUT_DIR}")
out=${2:?usage: build-image.sh SLUICE.deb OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
lab_etc=$here/../../itests/lab/etc/common
mirror=${SLUICE_IMAGE_MIRROR:-http://deb.debian.org/debian}
[ -f "$deb" ] || { echo "build-image.sh: no package $deb" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "build-image.sh: needs root (mmdebstrap's root mode)" >&2; exit 2; }
command -v mmdebstrap > /dev/null || { echo "build-image.sh: needs mmdebstrap (apt-get install mmdebstrap)" >&2; exit 2; }

# What the box needs on the machine: its package's dependencies; the kernel and systemd; ip (the pods' namespaces)
# and kmod (uio_pci_generic, vfio-pci); the DPDK libraries and PMDs and libxdp that the drivers open (the launcher's
# DPDK_PACKAGES and XDP_PACKAGES); ssh and curl for the self-test's console and the pod's request.
packages=adduser,init-system-helpers,zlib1g,linux-image-amd64,systemd,systemd-sysv,udev,kmod,iproute2,procps
packages+=,iputils-ping,ethtool,openssh-client,curl
packages+=,librte-eal23,librte-ethdev23,librte-mbuf23,librte-mempool23,librte-mempool-ring23
packages+=,librte-net-af-packet23,librte-net-e1000-23,libxdp1,libbpf1

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

# --variant=apt: Essential packages and apt, then only what is listed (with the box's package's dependencies).
# The hooks run in order in the finished tree: the box's package is copied in and installed by dpkg inside the
# tree (apt's chrooted dpkg cannot see a path of this machine), then the image's units and configuration.
mmdebstrap --variant=apt --include="$packages" \
    --customize-hook="copy-in '$deb' /tmp" \
    --customize-hook="chroot \"\$1\" dpkg -i '/tmp/$(basename "$deb")' && rm -f \"\$1/tmp/$(basename "$deb")\"" \
    --customize-hook="sync-in '$here/rootfs' /" \
    --customize-hook="mkdir -p \"\$1/etc/sluice\" && cp '$lab_etc'/*.cfg \"\$1/etc/sluice/\"" \
    --customize-hook='sed -i "s/^profile *=.*/profile = qemu-e1000/" "$1/etc/sluice/io.sluice.hardware.cfg"' \
    --customize-hook='echo sluice > "$1/etc/hostname"' \
    --customize-hook='printf "LABEL=sluice-root / ext4 defaults,errors=remount-ro 0 1\n" > "$1/etc/fstab"' \
    --customize-hook='chroot "$1" systemctl enable sluice.service sluice-dpdk-setup.service sluice-pods.service sluice-selftest-key.service sluice-selftest.service' \
    --customize-hook='rm -f "$1/etc/machine-id" && touch "$1/etc/machine-id"' \
    bookworm "$root" "$mirror"

cp "$(readlink -f "$root/vmlinuz")" "$work/vmlinuz"
cp "$(readlink -f "$root/initrd.img")" "$work/initrd.img"
# The file system: what the tree holds and half as much again free (the box's data/, logs, journal), 512 MB at least.
size_mb=$(( $(du -sm "$root" | cut -f1) * 3 / 2 ))
[ "$size_mb" -ge 512 ] || size_mb=512
rm -f "$work/sluice-disk.raw"
mkfs.ext4 -q -L sluice-root -d "$root" "$work/sluice-disk.raw" "${size_mb}M"
mv -f "$work/sluice-disk.raw" "$work/vmlinuz" "$work/initrd.img" "$out/"
echo "$out/sluice-disk.raw"
