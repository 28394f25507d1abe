#!/usr/bin/env bash
# Sluice as the `custom` peer of ../shared/bench-peers (its README, "Measuring your own gateway"): run.sh starts
# this inside namespace bp-gw, pinned to GW_CPU, and ends its process group at teardown. The box drives pod0 and
# gbe0 through AF_PACKET (SLUICE_DRIVER=af_packet, the default) or AF_XDP (SLUICE_DRIVER=af_xdp: an XDP socket in
# copy mode on each veth) and does what the `kernel` peer's nftables do, the seed's way: a reflective ACL on the
# pod port, NAT44 of the pod to 192.168.16.1 on the uplink's output.
#
#   GW_CMD="exec $PWD/bench/peers/sluice-gateway.sh" ../shared/bench-peers/run.sh kernel ceil-testpmd custom
#   GW_CMD="SLUICE_DRIVER=af_xdp exec $PWD/bench/peers/sluice-gateway.sh" ../shared/bench-peers/run.sh custom
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
# ports' sockets once they have been quiet for 200 us, so the receive softirq has the core (SLUICE_RX_MODE).
cfg io.sluice.graph <<CFG
workers = 1
idle = ${SLUICE_IDLE:-yield}
rx-mode = ${SLUICE_RX_MODE:-adaptive}
CFG
# No DPDK port: the hardware profile only says how many workers and buffers.
cfg io.sluice.hardware <<CFG
profile = lab-netns-afpacket
directory = \${karaf.home}/hardware-profiles
CFG
# Both ports through the same driver: its factory PID is io.sluice.driver.afpacket or io.sluice.driver.afxdp.
case "${SLUICE_DRIVER:-af_packet}" in
    af_packet) driver_pid=io.sluice.driver.afpacket ;;
    af_xdp) driver_pid=io.sluice.driver.afxdp ;;
    *) echo "sluice-gateway.sh: SLUICE_DRIVER=$SLUICE_DRIVER: choose af_packet or af_xdp" >&2; exit 2 ;;
esac
cfg "$driver_pid-pod" <<CFG
host.ifname = $POD_IF
name = $POD_IF
CFG
cfg "$driver_pid-up" <<CFG
host.ifname = $UP_IF
name = $UP_IF
CFG
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
cfg io.sluice.acl.interface-pod <<CFG
interface = $POD_IF
input = pod-reflect
output = pod-ingress
CFG
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
# Stay in the foreground for as long as the box runs: run.sh ends this process group at teardown.
while kill -0 "$pid" 2>/dev/null; do sleep 1 & wait $!; done
