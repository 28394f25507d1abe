#!/bin/bash
# Makes a disk a PC boots by itself from what build-image.sh wrote: an MBR partition table with a FAT boot partition
# (SYSLINUX, the image's kernel and initramfs) and the ext4 root file system as the second partition, booting
# root=LABEL=sluice-root with the console on the first serial port and the screen. Made in files only: mkfs.vfat -C,
# mtools' mcopy and the mtools-based `syslinux --install` write the FAT image, dd places it and the root file
# system into the disk; no loop device, no mount.
#
#   make-bootable.sh IMAGE_DIR      writes IMAGE_DIR/sluice-boot.img (raw; `qemu-img convert -O qcow2` for qcow2)
set -euo pipefail

dir=$(cd "${1:?usage: make-bootable.sh IMAGE_DIR}" && pwd)
for file in sluice-disk.raw vmlinuz initrd.img; do
    [ -f "$dir/$file" ] || { echo "make-bootable.sh: $dir/$file missing (build-image.sh makes it)" >&2; exit 2; }
done
mbr=/usr/lib/syslinux/mbr/mbr.bin
for tool in syslinux mcopy mkfs.vfat sfdisk; do
    command -v "$tool" > /dev/null || { echo "make-bootable.sh: needs $tool (apt-get install syslinux syslinux-common mtools dosfstools fdisk)" >&2; exit 2; }
done
[ -f "$mbr" ] || { echo "make-bootable.sh: no $mbr (apt-get install syslinux-common)" >&2; exit 2; }

work=$(mktemp -d "$dir/.bootable.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Partition 1 starts at 1 MiB (sector 2048), 128 MiB of FAT32 for the kernel and the initramfs; partition 2 the root.
boot_sectors=$((128 * 2048))
root_start=$((2048 + boot_sectors))
root_sectors=$(( $(stat -c %s "$dir/sluice-disk.raw") / 512 ))

cat > "$work/syslinux.cfg" <<'CFG'
DEFAULT sluice
PROMPT 0
TIMEOUT 0
LABEL sluice
    LINUX /vmlinuz
    INITRD /initrd.img
    APPEND root=LABEL=sluice-root ro console=tty0 console=ttyS0
CFG
mkfs.vfat -F 32 -n SLUICEBOOT -C "$work/boot.fat" $((boot_sectors / 2)) > /dev/null
mcopy -i "$work/boot.fat" "$dir/vmlinuz" "$dir/initrd.img" "$work/syslinux.cfg" ::/
syslinux --install "$work/boot.fat"

disk=$work/sluice-boot.img
truncate -s $(( (root_start + root_sectors) * 512 )) "$disk"
printf 'label: dos\nstart=2048, size=%d, type=c, bootable\nstart=%d, size=%d, type=83\n' \
    "$boot_sectors" "$root_start" "$root_sectors" | sfdisk -q "$disk"
dd if="$mbr" of="$disk" bs=440 count=1 conv=notrunc status=none
dd if="$work/boot.fat" of="$disk" bs=1M seek=$((2048 * 512)) oflag=seek_bytes conv=notrunc,sparse status=none
dd if="$dir/sluice-disk.raw" of="$disk" bs=1M seek=$((root_start * 512)) oflag=seek_bytes conv=notrunc,sparse status=none
mv -f "$disk" "$dir/sluice-boot.img"
echo "$dir/sluice-boot.img"
