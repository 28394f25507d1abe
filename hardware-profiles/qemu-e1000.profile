# The disk image (packaging/image) in QEMU: `-device e1000,bus=pci.0,addr=0x8` puts an emulated Intel 82540EM
# at PCI 0000:00:08.0, which DPDK's e1000 poll-mode driver (net_e1000_em, librte-net-e1000-23) drives as
# GigabitEthernet0/8/0, the seed's GbE port; the pod port is tap2, as in the namespace lab.
#
# At boot, before the box starts, the image's sluice-dpdk-setup.service reads this profile: it reserves 2 MB
# hugepages and binds every `driver = dpdk` port's PCI device to uio_pci_generic: QEMU's pc machine has no
# IOMMU and Debian 12's kernel is built without vfio's no-IOMMU mode (CONFIG_VFIO_NOIOMMU), so vfio-pci is used
# only where there is an IOMMU. Without one, DMA uses physical addresses (DPDK's IOVA-as-PA mode).
description = QEMU pc machine: e1000 at 00:08.0 through DPDK net_e1000_em, pod on tap2

cores.workers = 1
buffers.per-worker = 16384

# One lcore (a small VM), hugepages from /dev/hugepages without shared files, no telemetry socket.
dpdk.lcores = 0
dpdk.mbufs = 8191
dpdk.eal-args = --in-memory --no-telemetry --huge-dir=/dev/hugepages --iova-mode=pa

port.gbe.driver = dpdk
port.gbe.pci = 0000:00:08.0
port.gbe.speed = 1G
port.gbe.rx-queues = 1
port.gbe.tx-queues = 1
port.gbe.rx-descriptors = 1024
port.gbe.tx-descriptors = 1024

port.pod.driver = tap
port.pod.name = tap2
