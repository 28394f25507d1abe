#!/usr/bin/env bash
# Sluice as the `custom` peer of ../shared/bench-peers (its README, "Measuring your own gateway"): run.sh starts
# this inside namespace bp-gw, pinned to GW_CPU, and ends its process group at teardown. The box drives pod0 and
# gbe0 through AF_PACKET (SLUICE_DRIVER=af_packet, the default) or AF_XDP (SLUICE_DRIVER=af_xdp: an XDP socket in
# copy mode on each veth) and does what the `kernel` peer's nftables do, the seed's way: a reflective ACL on the
# pod port, NAT44 of the pod to 192.168.16.1 on the uplink's output.
#
#   GW_CMD="exec $PWD/bench/peers/sluice-gateway.sh" ../shared/bench-peers/run.sh kernel ceil-testpmd custom
#   GW_CMD="SLUICE_DRIVER=af_xdp exec $PWD/bench/peers/sluice-gateway.sh" ../shared/bench-peers/run.sh custom
#
# Settings (environment; docs/performance.md, "Issue 16, session 6" and "session 8", have the A/B figures): SLUICE_DRIVER af_packet |
# af_xdp | dpdk_af_xdp (DPDK's net_af_xdp PMD; SLUICE_DPDK_XDP_ARGS appended to its vdev arguments), SLUICE_IDLE,
# SLUICE_RX_MODE, SLUICE_RX_WINDOW, SLUICE_SLICE, SLUICE_WARMUP (pings before the pod's traffic passes; 0: none),
# SLUICE_WARMUP_SIZES (pings of many sizes after them, each size this many times; 0: none), SLUICE_XDP_NAPI
# threaded | softirq, SLUICE_NICE (of the worker and NAPI threads).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${POD_IF:?run by bench-peers run.sh}" "${UP_IF:?}" "${POD_IP:?}" "${GW_POD_IP:?}" "${GW_UP_IP:?}" "${INET_IP:?}"
: "${SRV_IP:?}" "${MAC_POD:?}" "${MAC_INET:?}"

export SLUICE_RUN=${SLUICE_RUN:-/tmp/sluice-bench-peer}
export SLUICE_SSH_PORT=${SLUICE_SSH_PORT:-8131}
export SLUICE_ETC="$SLUICE_RUN/etc"
rm -rf "$SLUICE_RUN"
mkdir -p "$SLUICE_ETC"
cfg() { cat > "$SLUICE_ETC/$1.cfg"; }

# Everything shares GW_CPU, so the worker must not spin (the control plane would starve): it yields while it
# polls (SLUICE_IDLE=backoff parks instead, up to 1 ms) and, in rx-mode adaptive, sleeps in poll(2) on the
# ports' sockets once they have been quiet for the window (SLUICE_RX_WINDOW, below), so the receive softirq and
# the NAPI kthreads have the core (SLUICE_RX_MODE).
# SLUICE_SLICE (us, the graph's worker-slice-us; 0: the kernel's): the EEVDF slice the worker asks for, and the
# NAPI kthreads get below. The JVM's compiler and Karaf threads share GW_CPU: a worker woken (or yielding) while
# one of them runs waited for the end of that thread's slice, up to a tick: the 3-8 ms p99 of run.sh's pings. A
# thread queued with a short slice preempts at once (kernel/sched/fair.c, Linux 6.12+). Off by default: 100 us
# cut the p99 on a box up for a minute (528-651 us against 648-8040) but not through run.sh, and in two run.sh pairs
# against main it had less TCP x1 and PDR (docs/performance.md, "Issue 16, session 8"); SLUICE_SLICE=100 to try.
# SLUICE_RX_WINDOW (us, the graph's rx-mode.adaptive-window-us): how long the worker keeps polling after the last
# frame. run.sh pings every 10 ms: with the product's 200 us the worker sleeps between two pings and each ping
# pays its wakeup (docs/performance.md, "Issue 16, session 8"); 20 ms keeps it polling through the ping series
# and still sleeping 20 ms after the last frame (the idle column).
cfg io.sluice.graph <<CFG
workers = 1
idle = ${SLUICE_IDLE:-yield}
rx-mode = ${SLUICE_RX_MODE:-adaptive}
rx-mode.adaptive-window-us = ${SLUICE_RX_WINDOW:-20000}
worker-slice-us = ${SLUICE_SLICE:-0}
CFG
# Both ports through the same driver: driver-afpacket's or driver-afxdp's factory PID, or DPDK ports of a hardware
# profile written here (SLUICE_DRIVER=dpdk_af_xdp: DPDK 22.11's net_af_xdp PMD, librte-net-af-xdp23, on each veth).
case "${SLUICE_DRIVER:-af_packet}" in
    af_packet) driver_pid=io.sluice.driver.afpacket ;;
    af_xdp) driver_pid=io.sluice.driver.afxdp ;;
    dpdk_af_xdp) driver_pid= ;;
    *) echo "sluice-gateway.sh: SLUICE_DRIVER=$SLUICE_DRIVER: choose af_packet, af_xdp or dpdk_af_xdp" >&2; exit 2 ;;
esac
if [ -n "$driver_pid" ]; then
    # No DPDK port: the hardware profile only says how many workers and buffers.
    cfg io.sluice.hardware <<CFG
profile = lab-netns-afpacket
directory = \${karaf.home}/hardware-profiles
CFG
    cfg "$driver_pid-pod" <<CFG
host.ifname = $POD_IF
name = $POD_IF
CFG
    cfg "$driver_pid-up" <<CFG
host.ifname = $UP_IF
name = $UP_IF
CFG
else
    mkdir -p "$SLUICE_RUN/profiles"
    # busy_budget=0: no preferred busy polling (SO_PREFER_BUSY_POLL, the PMD's default since 21.05), which has the
    # PMD drive the veth's NAPI from its recvfrom(2); with busy polling on, no pod ping got through in 60 s here.
    xdp_args=${SLUICE_DPDK_XDP_ARGS-,busy_budget=0}
    cat > "$SLUICE_RUN/profiles/bench-peers-af-xdp.profile" <<PROFILE
description = bench-peers: pod0 and gbe0 through DPDK's net_af_xdp PMD
cores.workers = 1
buffers.per-worker = 16384
dpdk.lcores = 1
dpdk.mbufs = 8191
dpdk.eal-args = --no-huge --no-shconf --no-pci --no-telemetry
port.pod.driver = dpdk
port.pod.name = $POD_IF
port.pod.vdev = net_af_xdp0,iface=$POD_IF,start_queue=0,queue_count=1$xdp_args
port.pod.rx-queues = 1
port.pod.tx-queues = 1
port.up.driver = dpdk
port.up.name = $UP_IF
port.up.vdev = net_af_xdp1,iface=$UP_IF,start_queue=0,queue_count=1$xdp_args
port.up.rx-queues = 1
port.up.tx-queues = 1
PROFILE
    cfg io.sluice.hardware <<CFG
profile = bench-peers-af-xdp
directory = $SLUICE_RUN/profiles
CFG
fi
cfg io.sluice.interface-pod <<CFG
name = $POD_IF
address = $GW_POD_IP/32
admin = up
CFG
cfg io.sluice.interface-up <<CFG
name = $UP_IF
address = $GW_UP_IP/24
admin = up
CFG
cfg io.sluice.ip4.route-pod <<CFG
prefix = $POD_IP/32
interface = $POD_IF
CFG
cfg io.sluice.ip4.route-server <<CFG
prefix = $SRV_IP/32
via = $INET_IP
interface = $UP_IF
CFG
cfg io.sluice.ip4.neighbour-pod <<CFG
interface = $POD_IF
address = $POD_IP
mac = $MAC_POD
CFG
cfg io.sluice.ip4.neighbour-inet <<CFG
interface = $UP_IF
address = $INET_IP
mac = $MAC_INET
CFG
cfg io.sluice.acl-pod-reflect <<CFG
index = 3
rule.0 = permit+reflect
CFG
cfg io.sluice.acl-pod-ingress <<CFG
index = 4
rule.0 = deny
CFG
# The pod's input ACL is deny-all until the box has warmed up (below): run.sh starts measuring at the first ping
# that gets through, so that ping must find the box as it will be measured.
acl_pod() {
    cat <<CFG
interface = $POD_IF
input = $1
output = pod-ingress
CFG
}
acl_pod pod-ingress | cfg io.sluice.acl.interface-pod
cfg io.sluice.nat44 <<CFG
addresses = $GW_UP_IP
inside = $POD_IF
output-feature = $UP_IF
CFG

# Karaf's launcher puts the JVM in a process group of its own, so ending ours would not end the box: stop it
# by its pid when run.sh ends this script.
trap '"$ROOT/sluice" stop > /dev/null 2>&1; exit 0' TERM INT HUP
"$ROOT/sluice" start
pid=$(cat "$SLUICE_RUN/karaf.pid")

# The kernel peers forward in softirq, ahead of every task; the box's worker is a task, sharing GW_CPU with the
# JVM's compiler, GC and Karaf threads and, on this shared machine, with other work (builds at nice 0 and 10). The
# worker threads (sluice_main, sluice_wk_<n>) and the NAPI threads below run at nice -10 (SLUICE_NICE): they get
# the core when they have packets, as a gateway's data path that owns its core would; the rest of the JVM and the
# endpoints and generator on EP_CPU keep nice 0.
nice=${SLUICE_NICE:--10}
for task in /proc/"$pid"/task/*; do
    case "$(cat "$task/comm" 2>/dev/null)" in
        sluice_main|sluice_wk_*) renice -n "$nice" -p "${task##*/}" > /dev/null || true ;;
    esac
done

# AF_XDP on a veth: the frames a veth receives meet their XDP program in the veth's NAPI poll, which runs in the
# softirq of the CPU that sent them (veth_xmit schedules the peer's NAPI locally, drivers/net/veth.c), so the
# copy into the UMEM and the socket's wakeup are charged to the sender: the generator's and the endpoints' core,
# CPU 0. RPS, which moves the kernel peers' receive work to the gateway core, acts after XDP and cannot move it.
# Threaded NAPI (/sys/class/net/<if>/threaded, Documentation/networking/napi.rst) runs that poll in a kthread
# (napi/<if>-<id>), pinned here to GW_CPU: the gateway's receive work is on the gateway's core, as for every peer.
# SLUICE_XDP_NAPI=softirq leaves it where the kernel puts it.
# sched_setattr(2) for a kthread: SCHED_OTHER at its nice with sched_runtime = the slice (Linux 6.12+); util-linux
# 2.38's chrt takes a runtime for SCHED_DEADLINE only.
napi_slice() {
    [ "${SLUICE_SLICE:-0}" -gt 0 ] || return 0
    python3 - "$1" "$((${SLUICE_SLICE:-0} * 1000))" "$nice" <<'PY' || true
import ctypes, struct, sys
tid, runtime, nice = (int(a) for a in sys.argv[1:4])
attr = ctypes.create_string_buffer(struct.pack("IIQiIQQQII", 56, 0, 0, nice, 0, runtime, 0, 0, 0, 0))
if ctypes.CDLL(None, use_errno=True).syscall(314, tid, attr, 0) != 0:
    print("sluice-gateway.sh: sched_setattr(%d): errno %d" % (tid, ctypes.get_errno()), file=sys.stderr)
PY
}
if [ "${SLUICE_DRIVER:-af_packet}" != af_packet ] && [ "${SLUICE_XDP_NAPI:-threaded}" = threaded ]; then
    for ifname in "$POD_IF" "$UP_IF"; do
        # the NAPI instance exists once the box has attached its XDP program (veth_enable_xdp)
        for _ in $(seq 1 600); do
            ip -d link show dev "$ifname" 2>/dev/null | grep -q 'prog/xdp' && break
            sleep 0.1
        done
        echo 1 > "/sys/class/net/$ifname/threaded" || true
    done
    sleep 0.2
    for napi in $(pgrep -x "napi/($POD_IF|$UP_IF)-[0-9]+"); do
        taskset -pc "${GW_CPU:-1}" "$napi" > /dev/null || true
        renice -n "$nice" -p "$napi" > /dev/null || true
        napi_slice "$napi"
    done
fi
# Warm-up. The JIT compiles a node after a few hundred calls; until then the graph runs interpreted, where every
# buffer access through java.lang.foreign costs microseconds: the first 200 pings through a box just booted took
# 1.1-4.8 ms (median) against 0.24-0.28 ms once warm (docs/performance.md). The box pings the server through gbe0
# and the pod through pod0 (its input ACL still denies: the pod's answers are dropped there), and the server again
# from the pod's address (NAT44 translates it on gbe0's output and back; the answers meet pod0's output ACL, which
# denies them: no reflected session), which runs both ports' receive and transmit, ethernet-input, ip4-input,
# ip4-lookup, ip4-rewrite, the ACL nodes and NAT44's session paths; then the pod's ACL becomes the reflective one
# and the pod's traffic passes. What stays cold is acl-in's reflected-session path.
# Then the last ping again with frames of many sizes, 42 to 1514 bytes (the data bytes below), each size
# SLUICE_WARMUP_SIZES times. MemorySegment.copy, which every frame copy of the path calls, has one profile for
# all of them: inline under 64 bytes when not overlapping (a loop of 8-byte words, then 4, 2 and 1 byte tails),
# native otherwise. Pings of 98-byte frames alone left branches of it untaken, which C2 compiles as uncommon
# traps: the pod's first TCP segments deoptimized it (SegmentBulkOperations.copy, unstable_if) and C2 recompiled
# ip4-input, the ACL, NAT44 and ip4-rewrite on the gateway core, 0.15-1.4 s each, during the harness's TCP figure;
# 60-byte and 1514-byte pings alone still left some (JFR; docs/performance.md, "Issue 16, session 7").
# SLUICE_WARMUP=0 skips it (the pod's ACL is the reflective one at once); SLUICE_WARMUP_SIZES=0 skips the
# pings of many sizes.
warmup=${SLUICE_WARMUP:-20000}
warmup_sizes=${SLUICE_WARMUP_SIZES:-2000}
if [ "$warmup" -gt 0 ]; then
    "$ROOT/sluice" shell "ip:ping --count $warmup --interval 0 --timeout 1 $SRV_IP" | tail -1 || true
    "$ROOT/sluice" shell "ip:ping --count $warmup --interval 0 --timeout 1 $POD_IP" | tail -1 || true
    "$ROOT/sluice" shell "ip:ping --count $warmup --interval 0 --timeout 1 --source $POD_IP $SRV_IP" | tail -1 || true
    if [ "$warmup_sizes" -gt 0 ]; then
        for size in 0 1 2 3 4 5 6 7 18 60 300 1000 1472; do
            ping="ip:ping --count $warmup_sizes --interval 0 --timeout 1 --size $size --source $POD_IP $SRV_IP"
            "$ROOT/sluice" shell "$ping" | tail -1 || true
        done
    fi
fi
acl_pod pod-reflect > "$SLUICE_RUN/box/etc/io.sluice.acl.interface-pod.cfg"

# Stay in the foreground for as long as the box runs: run.sh ends this process group at teardown.
while kill -0 "$pid" 2>/dev/null; do sleep 1 & wait $!; done
