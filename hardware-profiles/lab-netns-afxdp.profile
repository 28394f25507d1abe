# The namespace lab without DPDK: the same veth driven by driver-afxdp (an AF_XDP socket on queue 0, libxdp's
# default XDP program, copy mode on a veth); the seed's traces then show af_xdp-input.
description = namespace lab: GbE on a veth through AF_XDP, pod on tap2

cores.workers = 1
buffers.per-worker = 16384

port.gbe.driver = af_xdp
port.gbe.name = GigabitEthernet0/8/0
port.gbe.netdev = sl-gbe0

port.pod.driver = tap
port.pod.name = tap2
