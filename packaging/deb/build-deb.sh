#!/bin/bash
# Builds the Sluice Debian package from the boot image: the image under /usr/lib/sluice with a jlink'd Java runtime
# (so the box needs no JDK on the machine), configuration in /etc/sluice (conffiles: an upgrade keeps the
# operator's edits), state in /var/lib/sluice, logs in /var/log/sluice, and a systemd unit.
#
#   build-deb.sh IMAGE.tar.gz VERSION OUT_DIR [JDK]
#
# VERSION is the image's (0.1.0-SNAPSHOT) or a Debian one; a '-' becomes '~' (a native package has no Debian
# revision, and '~' sorts a snapshot before its release). Prints the path of the package it made.
# The Debian policy manual is the reference for the layout (chapter 10 "Files", 10.7 "Configuration files",
# 6 "Maintainer scripts"). dpkg-deb builds it under fakeroot, so every file is root's in the archive.
set -euo pipefail

image=$1 version=${2//-/\~} out=$3 jdk=${4:-${JAVA_HOME:-}}
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$image" ] || { echo "build-deb.sh: no image $image" >&2; exit 2; }
[ -x "$jdk/bin/jlink" ] || { echo "build-deb.sh: no jlink in '$jdk' (give the JDK 25 the image was built with)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/usr/lib/sluice" "$root/etc" "$root/lib/systemd/system" "$root/usr/share/doc/sluice" \
    "$root/usr/share/lintian/overrides" "$root/DEBIAN"
tar xzf "$image" -C "$root/usr/lib/sluice" --strip-components=1

# The configuration moves to /etc/sluice; the image's own etc/ and data/ are not shipped (KARAF_ETC, KARAF_DATA).
mv "$root/usr/lib/sluice/etc" "$root/etc/sluice"
rm -rf "$root/usr/lib/sluice/data" "$root/usr/lib/sluice/deploy"
# Karaf records its instance pid under karaf.home/instances, which is the package's: a link to the box's state.
ln -s /var/lib/sluice/instances "$root/usr/lib/sluice/instances"
# Karaf's Windows scripts have no place on a Debian box.
find "$root/usr/lib/sluice/bin" -name "*.bat" -delete
# Karaf's service templates: the package ships its own systemd unit.
rm -rf "$root/usr/lib/sluice/bin/contrib"

# The Java runtime: only the modules the box uses. java.se for the platform; jdk.httpserver for the Prometheus
# endpoint; jdk.unsupported (sun.misc.Unsafe) for Karaf's and SSHD's libraries; jdk.security.auth for Karaf's JAAS
# login modules; jdk.management and jdk.jcmd (with jdk.attach) so an operator can read the JVM with jcmd;
# jdk.zipfs, jdk.charsets and jdk.naming.dns for what Karaf's resolver and Felix open.
modules=java.se,jdk.httpserver,jdk.unsupported,jdk.security.auth,jdk.security.jgss,jdk.management,jdk.management.agent,jdk.jcmd,jdk.attach,jdk.zipfs,jdk.charsets,jdk.naming.dns,jdk.crypto.cryptoki,jdk.jfr
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=zip-6 \
    --output "$root/usr/lib/sluice/runtime"
# CDS archives of the runtime's own classes (what the JDK ships as lib/server/classes.jsa and, for compact object
# headers, which the box runs with, classes_coh.jsa) for a faster start; the box's dynamic archive
# (bin/sluice-jvm) is made on top of the second one.
"$root/usr/lib/sluice/runtime/bin/java" -Xshare:dump > /dev/null 2>&1 || true
"$root/usr/lib/sluice/runtime/bin/java" -XX:+UseCompactObjectHeaders -Xshare:dump > /dev/null 2>&1 || true
# The box's own archive (the JDK's, Karaf's, Felix's and the bundles' classes) from one training boot of this tree,
# so the package's and the disk image's first boot maps it (train-cds.sh; SLUICE_TRAIN_CDS=off leaves it out).
if [ "${SLUICE_TRAIN_CDS:-on}" != "off" ]; then
    "$here/train-cds.sh" "$root/usr/lib/sluice" "$root/etc/sluice" >&2
fi

# The unit's ExecStart (the box, or after an upgrade that did not come up the previous version) and its health check.
install -m 0755 "$here/src/sluice-service" "$here/src/sluice-health" "$here/src/sluice-devices" "$root/usr/lib/sluice/bin/"
install -m 0644 "$here/src/debian/sluice.service" "$root/lib/systemd/system/sluice.service"
install -m 0644 "$here/src/debian/copyright" "$root/usr/share/doc/sluice/copyright"
install -m 0644 "$here/src/debian/lintian-overrides" "$root/usr/share/lintian/overrides/sluice"
sed "s/@VERSION@/$version/; s/@DATE@/$(date -R -d @"${SOURCE_DATE_EPOCH:-$(stat -c %Y "$image")}")/" \
    "$here/src/debian/changelog" | gzip -9n > "$root/usr/share/doc/sluice/changelog.gz"
chmod 0644 "$root/usr/share/doc/sluice/changelog.gz"

for script in preinst postinst prerm postrm; do
    sed "s/@VERSION@/$version/" "$here/src/debian/$script" > "$root/DEBIAN/$script"
    chmod 0755 "$root/DEBIAN/$script"
done
(cd "$root" && find etc -type f | sed 's|^|/|' | sort) > "$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print0 | sort -z \
    | xargs -0 md5sum | sed 's|  \./|  |') > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed "s/@VERSION@/$version/; s/@SIZE@/$size/" "$here/src/debian/control" > "$root/DEBIAN/control"

# Directories 0755, files 0644 unless executable (lintian: non-standard-file-perm, executable-not-elf-or-script).
find "$root" -path "$root/DEBIAN" -prune -o -type d -exec chmod 0755 {} +
find "$root" -path "$root/DEBIAN" -prune -o -type f ! -perm -u+x -exec chmod 0644 {} +
find "$root" -path "$root/DEBIAN" -prune -o -type f -perm -u+x -exec chmod 0755 {} +

mkdir -p "$out"
deb="$out/sluice_${version}_amd64.deb"
fakeroot dpkg-deb -Zgzip -z6 --build "$root" "$deb" > /dev/null
echo "$deb"
