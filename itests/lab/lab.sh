#!/usr/bin/env bash
# The seed lab's topology (../shared/seed/POD_TO_INTERNET.md, with documentation addresses for the internet):
#
#   namespace pod1                 the box (Karaf, root namespace)              namespace internet
#   eth0 = kernel side of tap2 <-> tap2 | GigabitEthernet0/8/0 = sl-gbe0 <-veth-> eth0 192.168.16.100/24
#   10.1.1.3/32                    (AF_PACKET on sl-gbe0, 192.168.16.1/24)       lo 203.0.113.51 (HTTP :80,
#   MAC 00:00:00:00:00:02                                                       UDP echo :7)
#                                                                               eth1 198.51.100.1/24, MTU 1280
#                                                                                 |  (a routed hop)
#                                                                  namespace internet-far: eth0 198.51.100.2/24
#
# The internet namespace routes to internet-far over a link with a 1280-byte MTU (IPv6's minimum, a tunnel's
# typical size): a DF packet bigger than that is answered by the internet's kernel with frag-needed (RFC 1191),
# the path MTU discovery test's smaller hop behind the box's 1500-byte GbE.
#
# The box creates tap2 and moves its kernel side into pod1 (driver-tap configuration); this script makes the
# namespaces, the GbE veth and the servers, and removes exactly what it made.
#   lab.sh up RUN_DIR | down RUN_DIR | status RUN_DIR
set -euo pipefail

GBE_HOST_SIDE=sl-gbe0
POD_NS=pod1
POD2_NS=pod2
INTERNET_NS=internet
FAR_NS=internet-far
FAR_ADDRESS=198.51.100.2
FAR_ROUTER_ADDRESS=198.51.100.1
NARROW_MTU=1280
SERVER_ADDRESS=203.0.113.51
ROUTER_ADDRESS=192.168.16.100/24
BOX_GBE_MAC=08:00:27:44:9f:d8
ROUTER_MAC=08:00:27:02:a5:36

verb=${1:?usage: lab.sh up|down|status RUN_DIR}
run_dir=${2:?usage: lab.sh up|down|status RUN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$run_dir"

up() {
  for ns in $POD_NS $POD2_NS $INTERNET_NS $FAR_NS; do
    if ip netns list | awk "{print \$1}" | grep -qx "$ns"; then
      echo "lab: namespace $ns already exists; run 'lab.sh down' first" >&2
      exit 1
    fi
  done
  trap 'down; exit 1' ERR
  ip netns add $POD_NS
  ip netns add $POD2_NS
  ip netns add $INTERNET_NS
  ip link add $GBE_HOST_SIDE type veth peer name eth0 netns $INTERNET_NS
  # The box's side carries no address: the root namespace's stack must stay out of the lab's traffic.
  sysctl -qw net.ipv6.conf.$GBE_HOST_SIDE.disable_ipv6=1
  ip link set $GBE_HOST_SIDE address $BOX_GBE_MAC
  ip link set $GBE_HOST_SIDE up
  ip -n $INTERNET_NS link set lo up
  ip -n $INTERNET_NS link set eth0 address $ROUTER_MAC
  ip netns exec $INTERNET_NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip -n $INTERNET_NS addr add $ROUTER_ADDRESS dev eth0
  # A veth hands its frames over with the TCP/UDP checksum left for "hardware" to fill in. driver-afpacket
  # completes such frames (TP_STATUS_CSUMNOTREADY), but DPDK's net_af_packet PMD passes them on unfinished and
  # the pod would drop the NATed reply. A real router's NIC sends complete checksums: make the internet side do so.
  ip netns exec $INTERNET_NS ethtool -K eth0 tx off > /dev/null
  ip -n $INTERNET_NS link set eth0 up
  # The internet knows the pods' subnet is behind the node, so unsolicited traffic to a pod reaches the box
  # (and its ACL drops and counts it) instead of failing for want of a route.
  ip -n $INTERNET_NS route add 10.1.1.0/24 via 192.168.16.1
  ip -n $INTERNET_NS addr add $SERVER_ADDRESS/32 dev lo
  ip netns add $FAR_NS
  ip -n $INTERNET_NS link add eth1 mtu $NARROW_MTU type veth peer name eth0 netns $FAR_NS mtu $NARROW_MTU
  ip -n $INTERNET_NS addr add $FAR_ROUTER_ADDRESS/24 dev eth1
  ip -n $INTERNET_NS link set eth1 up
  ip netns exec $INTERNET_NS sysctl -qw net.ipv4.ip_forward=1
  ip -n $FAR_NS link set lo up
  ip netns exec $FAR_NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip -n $FAR_NS addr add $FAR_ADDRESS/24 dev eth0
  ip -n $FAR_NS link set eth0 up
  ip -n $FAR_NS route add default via $FAR_ROUTER_ADDRESS
  for ns in $POD_NS $POD2_NS; do
    ip -n $ns link set lo up
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  done
  # Descriptors above 2 closed: the servers run until `lab down` and must not hold the caller's (a flock(1) lock).
  (for fd in $(ls /proc/$BASHPID/fd); do if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2> /dev/null || true; fi; done
   exec ip netns exec $INTERNET_NS python3 -u "$here/servers.py" $SERVER_ADDRESS > "$run_dir/servers.log" 2>&1) &
  echo $! > "$run_dir/servers.pid"
  # Up to 30 s: on a loaded 2-core machine Python's start alone has taken more than the 5 s this once allowed.
  for _ in $(seq 300); do
    if ip netns exec $INTERNET_NS ss -ltn | grep -q "$SERVER_ADDRESS:80"; then
      trap - ERR
      return 0
    fi
    sleep 0.1
  done
  echo "lab: the servers in $INTERNET_NS did not start; see $run_dir/servers.log" >&2
  down
  exit 1
}

down() {
  if [ -f "$run_dir/servers.pid" ]; then
    local pid
    pid=$(cat "$run_dir/servers.pid")
    kill "$pid" 2>/dev/null || true
    # Wait for it to be gone (or a zombie awaiting its reaper), then insist.
    for _ in $(seq 50); do
      if [ ! -e "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then break; fi
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$run_dir/servers.pid"
  fi
  ip link del $GBE_HOST_SIDE 2>/dev/null || true
  for ns in $FAR_NS $POD_NS $POD2_NS $INTERNET_NS; do
    ip netns del $ns 2>/dev/null || true
  done
}

status() {
  for ns in $POD_NS $POD2_NS $INTERNET_NS $FAR_NS; do
    if ip netns list | awk "{print \$1}" | grep -qx "$ns"; then echo "namespace $ns: up"; else echo "namespace $ns: absent"; fi
  done
  if ip link show $GBE_HOST_SIDE >/dev/null 2>&1; then echo "veth $GBE_HOST_SIDE: present"; else echo "veth $GBE_HOST_SIDE: absent"; fi
  if [ -f "$run_dir/servers.pid" ] && kill -0 "$(cat "$run_dir/servers.pid")" 2>/dev/null; then
    echo "servers: running (pid $(cat "$run_dir/servers.pid"))"
  else
    echo "servers: not running"
  fi
}

case "$verb" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: lab.sh up|down|status RUN_DIR" >&2; exit 2 ;;
esac
