# The namespace lab on one Linux host (also what the tests and CI use).
#
# The box's GbE port is one end of a veth pair (sl-gbe0) whose other end sits in the "internet"
# namespace; DPDK drives it through its af_packet poll-mode driver (net_af_packet, a virtual device:
# no PCI address, so the profile names it as VPP named the seed's port). The pod port is tap2, whose
# kernel side is moved into the pod's namespace by driver-tap.
description = namespace lab: GbE on a veth through DPDK net_af_packet, pod on tap2

cores.workers = 1
buffers.per-worker = 16384

# No hugepages, no PCI scan, no shared config files, no telemetry socket: a plain Linux host.
dpdk.lcores = 1
# The mbuf pool holds what the port can keep at once, not 8191 (34 MB of the box's resident memory
# with the EAL; every mbuf's header is written at pool creation, so the whole pool is resident): a PMD
# fills its rx ring (512) and holds transmitted mbufs until their descriptors complete (512), one rx
# burst and one tx frame are in flight (256 each), and the EAL main lcore's mempool cache may keep
# 1.5 x 256 (DPDK's flush threshold): 1920, so 2047 (2^n - 1, rte_mempool's ring is 2^n). net_af_packet
# itself keeps no mbuf in its rings (it copies to and from the kernel's ring of framecnt frames), so
# this is the margin a NIC's PMD would need. Measured: docs/operations.md, "While forwarding".
dpdk.mbufs = 2047
dpdk.eal-args = --no-huge --no-shconf --no-pci --no-telemetry

port.gbe.driver = dpdk
port.gbe.name = GigabitEthernet0/8/0
port.gbe.vdev = net_af_packet0,iface=sl-gbe0,framecnt=4096
port.gbe.rx-queues = 1
port.gbe.tx-queues = 1
# The frames wait in the kernel's ring (framecnt above), not in the PMD's descriptors: 512 keeps the pool small.
port.gbe.rx-descriptors = 512
port.gbe.tx-descriptors = 512

port.pod.driver = tap
port.pod.name = tap2
