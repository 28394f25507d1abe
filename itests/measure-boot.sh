#!/bin/bash
# Boots the built image under each garbage collector and prints, per boot: time from launch to the first SSH
# command answered (node:list), resident memory (VmRSS) 20 s after that, and the stop-the-world pauses
# (safepoints: GC and others alike stop the dataplane's worker threads) seen meanwhile.
# Usage: itests/measure-boot.sh [boots per collector]   (figures recorded in docs/operations.md)
#   COLLECTORS="-XX:+UseZGC" limits the collectors; ARCHIVE=path measures another image.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
archive=${ARCHIVE:-$(ls "$root"/karaf-assembly/distribution/target/sluice-*.tar.gz | head -1)}
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
boots=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ssh-keygen -q -t rsa -b 3072 -N '' -f "$work/key"
port=18101
for gc in ${COLLECTORS:-"-XX:+UseSerialGC" "-XX:+UseParallelGC" "-XX:+UseG1GC" "-XX:+UseZGC"}; do
    for run in $(seq 1 "$boots"); do
        rm -rf "$work/box" && mkdir "$work/box" && tar xzf "$archive" -C "$work/box" --strip-components=1
        echo "admin = $(cut -d' ' -f2 "$work/key.pub"),_g_:admingroup" >> "$work/box/etc/keys.properties"
        sed -i "s/^sshPort = .*/sshPort = $port/" "$work/box/etc/org.apache.karaf.shell.cfg"
        export JAVA_HOME=$java_home
        export JAVA_OPTS="${HEAP:--Xms64m -Xmx512m} $gc -Xlog:safepoint:file=$work/safepoint.log"
        start=$(date +%s%N)
        "$work/box/bin/karaf" server > "$work/console.log" 2>&1 &
        pid=$!
        until ssh -q -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -i "$work/key" \
                -p $port admin@127.0.0.1 node:list > /dev/null 2>&1; do sleep 0.05; done
        ready=$(( ($(date +%s%N) - start) / 1000000 ))
        java_pid=$(pgrep -P "$pid" java || echo "$pid")
        # CPU time (user + system) the JVM used until then: less disturbed by other load than wall time.
        cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' /proc/"$java_pid"/stat)
        sleep 20
        rss=$(awk '/VmRSS/ {print int($2/1024)}' /proc/"$java_pid"/status)
        pauses=$(grep -oE 'Total: [0-9]+ ns' "$work/safepoint.log" | awk '{ns=$2; n++; s+=ns; if (ns>m) m=ns}
            END {printf "%d safepoints, max %.2f ms, total %.1f ms", n, m/1e6, s/1e6}')
        echo "$gc run $run: ready ${ready} ms (JVM CPU ${cpu} ms), RSS ${rss} MB, ${pauses}; load $(cut -d" " -f1 /proc/loadavg)"
        # bin/karaf runs java as its child: stop the JVM itself, then the script exits.
        kill "$java_pid"; wait "$pid" 2>/dev/null || true
    done
done
