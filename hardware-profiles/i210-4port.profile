# A fanless mini PC with four Intel i210 GbE controllers (one PCIe x1 lane each, one port each), a
# 4-core x86-64 CPU and 8 GB of RAM: a common small-office gateway box.
#
# The i210 is driven by DPDK's igb poll-mode driver (net_e1000_igb). Before Sluice starts, each port is
# unbound from the kernel's igb driver and bound to vfio-pci (dpdk-devbind.py -b vfio-pci 0000:01:00.0 ...,
# IOMMU on: intel_iommu=on iommu=pt), and 2 MB hugepages are reserved (vm.nr_hugepages=512).
# The i210 has 4 receive and 4 transmit queues per port (datasheet 7.1.1); one of each is used until
# dpdk-input places queues on workers (one dpdk-input polls every queue on one worker today).
#
# Core 0 is left to Linux and the control plane (Karaf, the shell); the EAL main lcore is core 1; the
# three workers run on cores 1-3 (isolcpus=1-3 nohz_full=1-3 on the kernel command line).
# Ports appear in lspci order: enp1s0 .. enp4s0. Port 1 faces the internet, 2-4 are pods/LAN.
description = 4-port Intel i210 mini PC, DPDK igb PMD, 3 workers

cores.workers = 1-3
buffers.per-worker = 32768

dpdk.lcores = 1
dpdk.mbufs = 32767
dpdk.eal-args = --in-memory --no-telemetry --huge-dir=/dev/hugepages

port.wan.driver = dpdk
port.wan.pci = 0000:01:00.0
port.wan.speed = 1G
port.wan.rx-queues = 1
port.wan.tx-queues = 1
port.wan.rx-descriptors = 1024
port.wan.tx-descriptors = 1024

port.lan1.driver = dpdk
port.lan1.pci = 0000:02:00.0
port.lan1.rx-queues = 1
port.lan1.tx-queues = 1

port.lan2.driver = dpdk
port.lan2.pci = 0000:03:00.0
port.lan2.rx-queues = 1
port.lan2.tx-queues = 1

port.lan3.driver = dpdk
port.lan3.pci = 0000:04:00.0
port.lan3.rx-queues = 1
port.lan3.tx-queues = 1
