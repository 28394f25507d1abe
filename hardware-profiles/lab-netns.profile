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
dpdk.mbufs = 8191
dpdk.eal-args = --no-huge --no-shconf --no-pci --no-telemetry

port.gbe.driver = dpdk
port.gbe.name = GigabitEthernet0/8/0
port.gbe.vdev = net_af_packet0,iface=sl-gbe0,framecnt=4096
port.gbe.rx-queues = 1
port.gbe.tx-queues = 1

port.pod.driver = tap
port.pod.name = tap2
