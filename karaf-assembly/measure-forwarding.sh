#!/bin/bash
# The appliance's budget while forwarding (docs/operations.md, "The appliance's budget"): boots the lab box
# (./sluice lab up: the seed lab, GbE through DPDK's net_af_packet) with the given JVM options and
# -XX:NativeMemoryTracking=summary, prints VmRSS with the largest mappings (/proc/PID/smaps) and NMT's summary
# after boot, 20 s later and after LOAD_SECONDS (90) of LOOPS (8) parallel `curl http://203.0.113.51/` from pod1 (the
# answers counted by HTTP status), then the ACL's session count and the DPDK port's missed and no-mbuf counters,
# and takes the lab down again.
#
# Run it as root, under the lab lock (the lab's namespaces have fixed names):
#   flock /tmp/sluice-lab.lock karaf-assembly/measure-forwarding.sh LABEL [JAVA_OPTS...]
# No JAVA_OPTS: the image's bin/setenv options. Environment: SLUICE_IMAGE (the built image by default),
# SLUICE_RUN (a scratch run directory, /tmp/sluice-measure-run), SLUICE_SSH_PORT (18231), MALLOC_ARENA_MAX
# (bin/setenv's 2 when unset), LOAD_SECONDS (90), LOOPS (8: the parallel curl loops).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH=$JAVA_HOME/bin:$PATH
export SLUICE_IMAGE=${SLUICE_IMAGE:-$(ls "$root"/karaf-assembly/distribution/target/sluice-*.tar.gz | head -1)}
export SLUICE_RUN=${SLUICE_RUN:-/tmp/sluice-measure-run}
export SLUICE_SSH_PORT=${SLUICE_SSH_PORT:-18231}
label=${1:-image}; shift || true
if [ $# -gt 0 ]; then
    export JAVA_OPTS="$* -XX:NativeMemoryTracking=summary"
else
    # the image's own options, as its bin/setenv would set them
    export JAVA_OPTS="$(tar xzf "$SLUICE_IMAGE" --wildcards '*/bin/setenv' -O | sed -n 's/^    JAVA_OPTS="\(.*\)"$/\1/p') -XX:NativeMemoryTracking=summary"
fi
rm -rf "$SLUICE_RUN"
./sluice lab up 2>&1 | tail -2
pid=$(cat "$SLUICE_RUN/karaf.pid")
report() {
    echo "== $label $1 (load $(cut -d' ' -f1 /proc/loadavg)): $(grep VmRSS "/proc/$pid/status")"
    awk '/^[0-9a-f]+-[0-9a-f]+ /{name=(NF>=6?$6:"[anon]")} /^Rss:/{r[name]+=$2}
         END{for(n in r) if(r[n]>=1024) printf "  %7d kB %s\n", r[n], n}' "/proc/$pid/smaps" | sort -rn | head -12
    # the large anonymous mappings one by one (NAT44's indexes are 2 x 16 MB for the lab's table, its TCP windows 8 MB)
    awk '/^[0-9a-f]+-[0-9a-f]+ /{anon=(NF<6)} /^Size:/{size=$2} /^Rss:/{if(anon && size>=8192) printf "    anon %6d kB mapped, %6d kB resident\n", size, $2}' \
        "/proc/$pid/smaps" | sort -k5 -rn | head -6
    jcmd "$pid" VM.native_memory summary 2>/dev/null | grep -E '^Total|^- +(Java Heap|Class|Thread|Code|Symbol|Arena Chunk|Metaspace)' \
        | sed 's/^/  /'
}
report "after boot"
sleep 20
report "20 s later"
ip netns exec pod1 bash -c "end=\$((SECONDS + ${LOAD_SECONDS:-90})); for i in \$(seq ${LOOPS:-8}); do
    (while [ \$SECONDS -lt \$end ]; do curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 http://203.0.113.51/; done) &
done; wait" | sort | uniq -c | sed 's/^/  HTTP status: /'
report "after ${LOAD_SECONDS:-90} s of ${LOOPS:-8} parallel curl"
# an unanswered request (000) is the server's or the box's: the server namespace's listen-queue overflows say which
ip netns exec internet nstat -az TcpExtListenOverflows TcpExtListenDrops 2>/dev/null | awk 'NR>1{print "  server " $1 " " $2}'
ssh -q -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -i "$SLUICE_RUN/keys/admin" \
    -p "$SLUICE_SSH_PORT" admin@127.0.0.1 'acl:sessions' 2>/dev/null | sed -n 2p
# what a pool too small would show: the DPDK port's missed and no-mbuf counters, and every drop counted
ssh -q -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -i "$SLUICE_RUN/keys/admin" \
    -p "$SLUICE_SSH_PORT" admin@127.0.0.1 'interface:hardware --detail --no-format; errors:show' 2>/dev/null \
    | grep -E 'imissed|nombuf|no buffer|no mbuf|dpdk-input' | sed 's/^/  /'
./sluice lab down 2>&1 | tail -1
