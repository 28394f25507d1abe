#!/bin/bash
# Makes the box's class data sharing archive at build time, so that the first boot of the package or of the disk
# image maps it instead of spending that boot without one (docs/operations.md, "Boot time and memory"):
#
#   train-cds.sh HOME [ETC]
#
# HOME is the staged image (build-deb.sh's usr/lib/sluice, with its runtime/), ETC its configuration (default
# HOME/etc). One training boot runs from it, at the path the package installs it to (below), as the
# unit runs the box (bin/karaf server through bin/sluice-jvm, the same options and class path), on a scratch copy of
# its etc/ with its own SSH and telemetry ports and no hardware profile (so no port of this machine is opened), until
# the console answers node:list over SSH; its clean stop writes the archive, which goes to HOME/cds/. sluice-jvm's key
# leaves out where the image and its data are, so the installed box finds it under the same name and copies it into
# /var/lib/sluice/cds at its first start.
#
# A boot that does not come up (a damaged image) leaves no archive and is not an error: the box then writes its own
# at its first stop, as before. Prints one line saying what it did.
set -uo pipefail

home=$(cd "${1:?usage: train-cds.sh HOME [ETC]}" && pwd)
etc_source=${2:-}
installed=/usr/lib/sluice
[ -x "$home/runtime/bin/java" ] || { echo "train-cds.sh: no runtime in $home/runtime" >&2; exit 2; }
command -v ssh > /dev/null && command -v ssh-keygen > /dev/null && command -v python3 > /dev/null \
    || { echo "train-cds.sh: needs ssh, ssh-keygen (openssh-client) and python3; no archive made"; exit 0; }

# The archive names the jars it was made from by their paths, and Temurin 25.0.3 opens them by those paths (a
# training boot from the staged tree gave "error in finding JAR file <staged path>" at the installed box's start,
# though the class path check had passed by its common prefix): so the training boot runs from where the package
# installs the image. In a mount namespace of its own, /usr/lib is overlaid (nothing of this machine's /usr/lib
# changes) and the staged tree bound at /usr/lib/sluice; needs root, as the image build and the package test are.
if [ "$home" != "$installed" ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v unshare > /dev/null; then
        echo "train-cds.sh: training at $installed needs root and unshare; no archive made"
        exit 0
    fi
    scratch=$(mktemp -d)
    unshare --mount --propagation private bash -c '
        set -e
        mount -t tmpfs tmpfs "$4"
        mkdir "$4/upper" "$4/work"
        mount -t overlay overlay -o lowerdir=/usr/lib,upperdir="$4/upper",workdir="$4/work" /usr/lib
        mkdir -p "$3"
        mount --bind "$1" "$3"
        exec "$0" "$3" "$2"' "$0" "$home" "$etc_source" "$installed" "$scratch"
    status=$?
    rmdir "$scratch"
    exit $status
fi
train=$(mktemp -d)
box=""
instances_link=""
cleanup() {
    if [ -n "$box" ] && kill -0 "$box" 2> /dev/null; then kill -KILL "$box" 2> /dev/null; wait "$box" 2> /dev/null; fi
    # The image's instances/ is a link into /var/lib/sluice; the training boot had a directory of its own there.
    if [ -n "$instances_link" ]; then rm -rf "$home/instances" && ln -s "$instances_link" "$home/instances"; fi
    rm -rf "$train"
}
trap cleanup EXIT

# A free TCP port on loopback (the kernel picks it).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

cp -a "${etc_source:-$home/etc}" "$train/etc"
mkdir -p "$train/data" "$train/log" "$train/no-profiles"
ssh_port=$(free_port)
sed -i "s/^sshPort *=.*/sshPort = $ssh_port/; s/^sshHost *=.*/sshHost = 127.0.0.1/" "$train/etc/org.apache.karaf.shell.cfg"
sed -i "s/^port *=.*/port = $(free_port)/" "$train/etc/io.sluice.telemetry.cfg"
sed -i "s|^directory *=.*|directory = $train/no-profiles|" "$train/etc/io.sluice.hardware.cfg"
ssh-keygen -q -t rsa -b 3072 -N '' -C train -f "$train/admin"
echo "admin = $(cut -d' ' -f2 "$train/admin.pub"),_g_:admingroup" >> "$train/etc/keys.properties"
[ -f "$train/etc/host.key" ] || ssh-keygen -q -t rsa -b 3072 -m PEM -N '' -C '' -f "$train/etc/host.key"
if [ -L "$home/instances" ]; then
    instances_link=$(readlink "$home/instances")
    rm -f "$home/instances" && mkdir "$home/instances"
fi

started=$SECONDS
(cd "$train" && exec env -u JAVA_OPTS -u EXTRA_JAVA_OPTS KARAF_HOME="$home" KARAF_BASE="$train" KARAF_ETC="$train/etc" \
    KARAF_DATA="$train/data" KARAF_LOG="$train/log" JAVA_HOME="$home/runtime" KARAF_EXEC=exec \
    "$home/bin/karaf" server > "$train/console.log" 2>&1 < /dev/null) &
box=$!
ready=""
while [ $((SECONDS - started)) -lt 180 ] && kill -0 "$box" 2> /dev/null; do
    if ssh -q -o LogLevel=QUIET -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
            -o ConnectTimeout=5 -i "$train/admin" -p "$ssh_port" admin@127.0.0.1 'node:list' > /dev/null 2>&1; then
        ready=yes
        break
    fi
    # Boot features that fail to install never give a console: no reason to wait the whole bound.
    grep -q ' ERROR .*Error installing boot features' "$train/log/karaf.log" 2> /dev/null && break
    sleep 0.5
done
if [ -z "$ready" ]; then
    echo "train-cds.sh: the training boot did not answer node:list (see its karaf.log's errors below); no archive made"
    grep -m 3 ' ERROR ' "$train/log/karaf.log" 2> /dev/null | cut -c1-300
    exit 0
fi
kill -TERM "$box"
for _ in $(seq 1 600); do kill -0 "$box" 2> /dev/null || break; sleep 0.1; done
wait "$box" 2> /dev/null
box=""
archive=$(ls "$train"/cds/sluice-*.jsa 2> /dev/null | head -1)
if [ -z "$archive" ]; then
    echo "train-cds.sh: the training boot wrote no archive (its cds.log below); none made"
    tail -3 "$train/cds/cds.log" 2> /dev/null
    exit 0
fi
mkdir -p "$home/cds"
mv "$archive" "$home/cds/"
echo "train-cds.sh: $home/cds/$(basename "$archive") ($(du -m "$home/cds/$(basename "$archive")" | cut -f1) MB), training boot $((SECONDS - started)) s"
