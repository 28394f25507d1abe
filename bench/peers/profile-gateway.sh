#!/usr/bin/env bash
# Where the gateway core's time goes (docs/performance.md, "Issue 16, session 7"): brings up bench-peers' `custom`
# peer with bench/peers/sluice-gateway.sh, then samples CPU 1 with perf (software cpu-clock, call graphs) and the
# box's JVM with JFR (execution samples, compilations, deoptimizations) during TCP x1 from bp-pod and during a 64 B
# UDP flood paced by a tbf qdisc (bench-peers' own generator), and for 3 s idle; tears everything down. Run it under
# the lab lock, from the project root:
#
#   flock /tmp/sluice-lab.lock bench/peers/profile-gateway.sh /tmp/gw-profile
#   bench/peers/profile-gateway.sh --split /tmp/gw-profile/perf-tcp.data "$(cat /tmp/gw-profile/pid)"
#
# Settings (environment): SLUICE_IMAGE (the image to boot), PPS (the paced flood, default 200000), and every
# setting of sluice-gateway.sh (SLUICE_DRIVER defaults to af_xdp here).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BP=${BP:-$ROOT/../shared/bench-peers}

# The gateway core's samples by thread and by kernel or user, in per cent of all of CPU 1's samples.
split() {
    perf script -i "$1" -F comm,pid,tid,ip,sym,dso -G 2>/dev/null | awk -v pid="$2" '
    { line = $0; match(line, /[0-9]+\/[0-9]+/); split(substr(line, RSTART, RLENGTH), id, "/")
      comm = substr(line, 1, RSTART - 1); gsub(/^ +| +$/, "", comm); kernel = (line ~ /kernel.kallsyms/)
      if (comm ~ /^napi\//) c = "NAPI kthreads: XDP receive, the copy into the UMEM"
      else if (id[1] != pid) c = "other processes on the core"
      else if (comm == "sluice_main" && kernel) c = "worker, kernel: syscalls, IPIs"
      else if (comm == "sluice_main") c = "worker, user: graph and driver rings"
      else if (comm ~ /Compiler/) c = "JVM: JIT compiler threads"
      else c = "JVM: other threads"
      share[c]++; total++ }
    END { for (c in share) printf "%5.1f %%  %s\n", 100 * share[c] / total, c; printf "100.0 %%  all of the core (%d samples)\n", total }' \
        | sort -rn
}
if [ "${1:-}" = --split ]; then
    split "${2:?perf data}" "${3:?the JVM pid}"
    exit
fi

out=${1:?output directory}
mkdir -p "$out"
gw_cpu=${GW_CPU:-1}
export GW_CMD="SLUICE_DRIVER=${SLUICE_DRIVER:-af_xdp} exec $ROOT/bench/peers/sluice-gateway.sh"
(cd "$BP" && OUT="$out/bench-peers" ./run.sh --setup custom) > "$out/setup.log" 2>&1 || { tail "$out/setup.log"; exit 1; }
trap '(cd "$BP" && OUT="$out/bench-peers" ./run.sh --clean) > "$out/clean.log" 2>&1' EXIT
uptime > "$out/load.txt"
pid=$(cat "${SLUICE_RUN:-/tmp/sluice-bench-peer}/karaf.pid")
echo "$pid" > "$out/pid"
record() { perf record -e cpu-clock -C "$gw_cpu" -g -o "$out/perf-$1.data" -- sleep "$2" > /dev/null 2>&1; }
jfr() { jcmd "$pid" JFR.start name="$1" settings=profile duration=6s filename="$out/$1.jfr" > /dev/null 2>&1; }

ip netns exec bp-pod ping -n -c 200 -i 0.01 203.0.113.51 | tail -1 > "$out/ping-first.txt"
jcmd "$pid" Compiler.perfmap > /dev/null 2>&1

ip netns exec bp-inet taskset -c 0 timeout 60 iperf3 -s -B 203.0.113.51 -p 5201 -1 > "$out/iperf3-server.txt" 2>&1 &
sleep 1
ip netns exec bp-pod taskset -c 0 timeout 40 iperf3 -c 203.0.113.51 -p 5201 -t 12 -f g > "$out/iperf3.txt" 2>&1 &
sleep 3
jfr tcp
record tcp 5
wait

pps=${PPS:-200000}
bits=$((pps * 60 * 8)); burst=$((pps * 60 / 500)); ((burst < 3000)) && burst=3000
tc -n bp-pod qdisc replace dev eth0 root tbf rate ${bits}bit burst $burst limit $((burst * 2))
ip netns exec bp-pod timeout 30 dpdk-testpmd --lcores="(0,1)@0" --main-lcore 0 --no-huge -m 256 \
    --no-shconf --file-prefix=bp-gen --no-pci --no-telemetry --vdev=net_af_packet0,iface=eth0,qdisc_bypass=0 -- \
    --forward-mode=txonly --auto-start --stats-period 5 --total-num-mbufs=8192 --nb-cores=1 \
    --tx-ip=10.1.1.3,203.0.113.51 --tx-udp=4000,9 --eth-peer=0,02:b0:0a:01:01:01 --txpkts=60 \
    > "$out/generator.txt" 2>&1 &
generator=$!
sleep 4
before=$(ip netns exec bp-inet cat /sys/class/net/eth0/statistics/rx_packets)
jfr udp
record udp 5
after=$(ip netns exec bp-inet cat /sys/class/net/eth0/statistics/rx_packets)
echo "64 B at $pps pps offered: $(((after - before) / 5)) received per second" >> "$out/load.txt"
kill "$generator"; wait "$generator" 2>/dev/null
tc -n bp-pod qdisc del dev eth0 root 2>/dev/null
sleep 3
cp "/tmp/perf-$pid.map" "$out/" 2>/dev/null
record idle 3
ip netns exec bp-pod ping -n -c 200 -i 0.01 203.0.113.51 | tail -1 > "$out/ping-after.txt"
uptime >> "$out/load.txt"
for phase in tcp udp idle; do
    echo "== $phase"
    split "$out/perf-$phase.data" "$pid"
done | tee "$out/split.txt"
