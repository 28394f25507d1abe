#!/bin/bash
# Boots the disk image (build-image.sh) in QEMU as the seed's box and runs the seed's request through it:
#
#   namespace sluice-qemu-inet (this host)          QEMU guest (the image, sluice.selftest on its command line)
#   sl-qemu0: TAP of QEMU's e1000   <-- e1000 at 00:08.0 = GigabitEthernet0/8/0 (DPDK net_e1000_em, 192.168.16.1)
#   192.168.16.100/24, lo 203.0.113.51                  tap2 <-> pod1 10.1.1.3 (a namespace in the guest)
#   (HTTP :80 and UDP echo :7: itests/lab/servers.py)
#
# The guest's self-test (rootfs/usr/lib/sluice-image/selftest) curls 203.0.113.51 from pod1, prints the box's
# trace:show and PASS or FAIL on the serial console, and powers off. This script prints those lines and exits 0 on
# PASS; on FAIL, a timeout (SLUICE_QEMU_TIMEOUT, 1200 s) or QEMU exiting early, 1. It removes everything it made:
# the namespace (and the TAP in it), the servers, QEMU, the disk overlay.
#
#   boot-test.sh IMAGE_DIR [LOG_DIR]
#
# SLUICE_QEMU_ACCEL: tcg (default: what the issue's CI machine has) or kvm.
set -euo pipefail

image=$(cd "${1:?usage: boot-test.sh IMAGE_DIR [LOG_DIR]}" && pwd)
logs=${2:-$image/boot-test}
here=$(cd "$(dirname "$0")" && pwd)
timeout=${SLUICE_QEMU_TIMEOUT:-1200}
accel=${SLUICE_QEMU_ACCEL:-tcg}
NS=sluice-qemu-inet
TAP=sl-qemu0
BOX_GBE_MAC=08:00:27:44:9f:d8
ROUTER_MAC=08:00:27:02:a5:36
SERVER=203.0.113.51

command -v qemu-system-x86_64 > /dev/null || { echo "boot-test.sh: qemu-system-x86_64 missing (apt-get install qemu-system-x86 qemu-utils)" >&2; exit 2; }
for file in sluice-disk.raw vmlinuz initrd.img; do
    [ -f "$image/$file" ] || { echo "boot-test.sh: $image/$file missing: build it with ./sluice image" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "boot-test.sh: needs root (a network namespace and a TAP)" >&2; exit 2; }
if ip netns list | grep -qw "$NS"; then
    echo "boot-test.sh: namespace $NS exists (another boot test running?)" >&2; exit 2
fi

mkdir -p "$logs"
console=$logs/console.log
: > "$console"
qemu_pid="" servers_pid="" pinger_pid=""
cleanup() {
    for pid in $pinger_pid $servers_pid $qemu_pid; do
        kill "$pid" 2> /dev/null || true
    done
    for pid in $pinger_pid $servers_pid $qemu_pid; do
        for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2> /dev/null || true
    done
    ip netns del "$NS" 2> /dev/null || true
    rm -f "$logs/overlay.qcow2"
}
trap cleanup EXIT
trap "exit 143" TERM INT

ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip -n "$NS" tuntap add dev "$TAP" mode tap
ip -n "$NS" link set "$TAP" address "$ROUTER_MAC"
ip -n "$NS" addr add 192.168.16.100/24 dev "$TAP"
ip -n "$NS" link set "$TAP" up
ip -n "$NS" addr add "$SERVER/32" dev lo
ip -n "$NS" route add 10.1.1.0/24 via 192.168.16.1
ip netns exec "$NS" python3 -u "$here/../../itests/lab/servers.py" "$SERVER" > "$logs/servers.log" 2>&1 &
servers_pid=$!

# The test's writes go to an overlay: the image stays as built.
qemu-img create -q -f qcow2 -F raw -b "$image/sluice-disk.raw" "$logs/overlay.qcow2"
started=$(date +%s%N)
# pc machine: its PCI root bus is pci.0, so addr=0x8 is 00:08.0. -nodefaults: no VGA or default NIC in slots.
# -cpu Nehalem: Debian's DPDK is built for it (SSE4.2, POPCNT), which TCG's default qemu64 CPU lacks (SIGILL in
# librte_eal). Not -cpu max: the JVM then picks AVX2 code, which QEMU 7.2's TCG runs wrongly (SIGSEGV in JIT code).
ip netns exec "$NS" qemu-system-x86_64 -machine pc -accel "$accel" -cpu Nehalem -m 2048 -smp 2 -nodefaults -display none \
    -no-reboot -serial "file:$console" -monitor none \
    -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
    -append "root=LABEL=sluice-root ro console=ttyS0 sluice.selftest" \
    -drive "file=$logs/overlay.qcow2,if=virtio,format=qcow2" \
    -netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no" \
    -device "e1000,netdev=n0,bus=pci.0,addr=0x8,mac=$BOX_GBE_MAC" > "$logs/qemu.log" 2>&1 &
qemu_pid=$!

# The box learns the router's address from the router's ARP request (arp-input), as in the seed lab; asking
# every 2 s also shows when the GbE port first answers.
(while sleep 2; do ip netns exec "$NS" ping -c 1 -W 1 192.168.16.1 > /dev/null 2>&1 || true; done) &
pinger_pid=$!

result=""
deadline=$((SECONDS + timeout))
while [ "$SECONDS" -lt "$deadline" ]; do
    if grep -qE 'sluice-selftest: (PASS|FAIL)' "$console"; then
        result=$(grep -oE 'sluice-selftest: (PASS|FAIL).*' "$console" | tail -n 1)
        break
    fi
    kill -0 "$qemu_pid" 2> /dev/null || { result="QEMU exited: $(tail -3 "$logs/qemu.log")"; break; }
    sleep 2
done
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
grep -a 'sluice-selftest:' "$console" | tr -d '\r' || true
echo "boot-test.sh: accel $accel, QEMU start to result $elapsed_ms ms; console log $console"
case "$result" in
    "sluice-selftest: PASS"*) echo "boot-test.sh: PASS"; exit 0 ;;
    "") echo "boot-test.sh: FAIL: no result within $timeout s"; tail -30 "$console" | tr -d '\r'; exit 1 ;;
    *) echo "boot-test.sh: FAIL: $result"; tail -30 "$console" | tr -d '\r'; exit 1 ;;
esac
