# The namespace lab without DPDK: the same veth driven by driver-afpacket's TPACKET_V3 ring instead.
# Use it where Debian's dpdk package is not installed; the seed's traces then show af-packet-input.
description = namespace lab: GbE on a veth through AF_PACKET, pod on tap2

cores.workers = 1
buffers.per-worker = 16384

port.gbe.driver = af_packet
port.gbe.name = GigabitEthernet0/8/0
port.gbe.netdev = sl-gbe0

port.pod.driver = tap
port.pod.name = tap2
