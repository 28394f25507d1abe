#!/bin/bash
# The appliance's budget, item by item (docs/operations.md, "The appliance's budget"): unpacks the built image
# into a scratch directory, gives it the seed lab's NAT44 and ACL configuration and the lab's hardware profile
# with its GbE on a device that does not exist (so the EAL, the buffer pools and both session files are made as
# on the lab box, and no packet goes anywhere), boots it, and prints: launch to the first node:list answered
# over SSH, the JVM's CPU time until then, VmRSS SETTLE s later with the largest mappings (/proc/PID/smaps),
# the safepoints seen (every one stops the workers), and the live heap after a full GC.
#
# Usage: karaf-assembly/measure-budget.sh [LABEL] [JAVA_OPTS...]   (no JAVA_OPTS: the image's bin/setenv)
#   karaf-assembly/measure-budget.sh zgc -Xms64m -Xmx512m -XX:+UseZGC -XX:NativeMemoryTracking=summary
# Environment: ARCHIVE (the image), PORT (SSH, 18161), TELEMETRY_PORT (19461), SETTLE (10 s).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
label=${1:-image}; shift || true
archive=${ARCHIVE:-$(ls "$root"/karaf-assembly/distribution/target/sluice-*.tar.gz | head -1)}
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
port=${PORT:-18161}
telemetry_port=${TELEMETRY_PORT:-19461}
work=$(mktemp -d)
box=$work/box
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then
        kill "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2> /dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT
mkdir "$box" && tar xzf "$archive" -C "$box" --strip-components=1
ssh-keygen -q -t rsa -b 3072 -N '' -f "$work/key"
echo "admin = $(cut -d' ' -f2 "$work/key.pub"),_g_:admingroup" >> "$box/etc/keys.properties"
sed -i "s/^sshPort = .*/sshPort = $port/" "$box/etc/org.apache.karaf.shell.cfg"
sed -i "s/^port = .*/port = $telemetry_port/" "$box/etc/io.sluice.telemetry.cfg"
cp "$root"/itests/lab/etc/common/io.sluice.nat44.cfg "$root"/itests/lab/etc/common/io.sluice.acl*.cfg "$box/etc/"
sed -e 's/iface=sl-gbe0/iface=sl-measure0/' -e '/^port.pod/d' "$box/hardware-profiles/lab-netns.profile" \
    > "$box/hardware-profiles/measure.profile"
sed -i 's/^profile = .*/profile = measure/' "$box/etc/io.sluice.hardware.cfg"
export JAVA_HOME=$java_home
if [ $# -gt 0 ]; then
    export JAVA_OPTS="$* -Xlog:safepoint:file=$work/safepoint.log"
else
    export EXTRA_JAVA_OPTS="-Xlog:safepoint:file=$work/safepoint.log"
fi
start=$(date +%s%N)
(cd "$box" && { KARAF_EXEC=exec setsid bin/karaf server > "$work/console.log" 2>&1 < /dev/null & echo $! > "$work/pid"; })
pid=$(cat "$work/pid")
until ssh -q -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -i "$work/key" \
        -p "$port" admin@127.0.0.1 node:list > /dev/null 2>&1; do
    kill -0 "$pid" 2> /dev/null || { tail "$work/console.log"; echo "$label: the box exited" >&2; exit 1; }
    sleep 0.1
done
ready=$(( ($(date +%s%N) - start) / 1000000 ))
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$pid/stat")
boot_safepoints=$(wc -l < "$work/safepoint.log")
# After boot: a Prometheus scrape every 5 s (the control plane's steady allocation), as a box in service sees.
for _ in $(seq 1 $(( ${SETTLE:-10} / 5 ))); do
    curl -s -o /dev/null "http://127.0.0.1:$telemetry_port/metrics"
    sleep 5
done
echo "$label: ready $ready ms (JVM CPU $cpu ms), VmRSS $(awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status") MB, load $(cut -d' ' -f1 /proc/loadavg)"
awk '/^[0-9a-f]+-[0-9a-f]+ / {name = $6; if (name == "") name = "[anonymous]"} /^Rss:/ {rss[name] += $2}
     END {for (n in rss) if (rss[n] > 2048) printf "  %5d MB %s\n", rss[n] / 1024, n}' "/proc/$pid/smaps" | sort -rn | head -8
pauses() {
    grep -oE 'Total: [0-9]+ ns' | awk -v what="$1" '{ns = $2; n++; s += ns; if (ns > m) m = ns}
        END {printf "  %s: %d safepoints, longest %.1f ms, %.1f ms in all\n", what, n, m / 1e6, s / 1e6}'
}
head -n "$boot_safepoints" "$work/safepoint.log" | pauses "boot"
tail -n +"$((boot_safepoints + 1))" "$work/safepoint.log" | pauses "the ${SETTLE:-10} s after it"
if [[ "${JAVA_OPTS:-}" == *NativeMemoryTracking* ]]; then
    "$java_home/bin/jcmd" "$pid" VM.native_memory summary | grep -E '^-|^Total' | sed 's/^/  /'
fi
"$java_home/bin/jcmd" "$pid" GC.run > /dev/null
"$java_home/bin/jcmd" "$pid" GC.heap_info | sed -n '2,3p' | sed 's/^/  after a full GC: /'
