#!/usr/bin/env bash
# Assembles what a user installs without Maven or a checkout (run by Maven in dist's package phase):
#   target/meshform-VERSION-linux-amd64.tar.gz (+ .sha256): bin/meshform, lib/meshform.jar, a jlink Java runtime,
#     the examples, docs/ (*.md and the stack's JSON Schema), LICENSE, README.md, CHANGELOG.md;
#   target/image-root/: the OCI image's files (the same runtime and jar, the shared libraries the runtime needs, the
#     matching istioctl, a passwd entry for the non-root user), which Jib packs onto an empty (scratch) base.
# The jlink runtime is cached under ~/.cache/meshform/jlink, keyed by the JDK's release and the module list.
#
#   assemble.sh VERSION JAVA_HOME ROOT TARGET
set -euo pipefail
version=$1 java_home=$2 root=$3 target=$4
say() { printf '[dist] %s\n' "$*" >&2; }
# shellcheck source=../../../testbed/versions.env
. "$root/testbed/versions.env"
cache=${MESHFORM_CACHE:-$HOME/.cache/meshform}
jar=$root/cli/target/meshform.jar
[ -f "$jar" ] || { say "$jar is missing: build the cli module first (mvn package -pl cli -am)"; exit 1; }
istioctl=$cache/bin/istioctl-$ISTIO_VERSION/istioctl
[ -x "$istioctl" ] || { say "istioctl $ISTIO_VERSION is not built ($istioctl): run testbed/build.sh istioctl"; exit 1; }

# What the application needs (jdeps --print-module-deps on the runtime classpath: java.base, java.desktop for
# java.beans, java.net.http for fabric8's JDK client, java.sql), plus what is loaded by name and jdeps cannot see:
# jdk.crypto.ec (TLS with EC keys, as kube-apiserver certificates often are), java.naming, java.management,
# java.logging, jdk.unsupported, java.xml (JUnit reports).
modules=java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.crypto.ec,jdk.unsupported
jdk_key=$( (cat "$java_home/release"; echo "$modules") | sha256sum | cut -c1-16)
runtime=$cache/jlink/runtime-$jdk_key
if [ ! -x "$runtime/bin/java" ]; then
  say "jlink: a Java runtime of $modules (cached in $runtime)"
  rm -rf "$runtime.tmp"
  mkdir -p "$(dirname "$runtime")"
  # No --compress: the archive and the image layers are gzip'd anyway, and an uncompressed modules file starts faster.
  # --generate-cds-archive gives the runtime its default class-data archive, which any path can use.
  "$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --generate-cds-archive --output "$runtime.tmp" >&2
  rm -rf "$runtime"
  mv "$runtime.tmp" "$runtime"
fi

name=meshform-$version
# Jib packs the (empty) classes directory of this module too; it must exist.
mkdir -p "$target/classes"
stage=$target/dist/$name
rm -rf "$target/dist" "$target/image-root"
mkdir -p "$stage/bin" "$stage/lib" "$stage/examples"
cp "$root/dist/src/main/dist/bin/meshform" "$stage/bin/meshform"
chmod 0755 "$stage/bin/meshform"
cp "$jar" "$stage/lib/meshform.jar"
cp "$root/dist/src/main/dist/lib/launch.sh" "$stage/lib/launch.sh"
cp -a "$runtime" "$stage/runtime"
cp "$root"/examples/*.yaml "$stage/examples/"
cp "$root/LICENSE" "$root/README.md" "$root/CHANGELOG.md" "$stage/"
mkdir -p "$stage/docs" && cp "$root"/docs/*.md "$root"/docs/*.json "$stage/docs/" 2>/dev/null || true
# A relative link to a file of the source tree the archive does not ship (CONTRIBUTING.md, testbed/README.md) would
# open nothing: it becomes its text, saying where the file is.
for md in "$stage"/*.md "$stage"/docs/*.md; do
  STAGE_DIR=$(dirname "$md") perl -0pi -e '
    s{\[([^\]]+)\]\(((?![a-z]+:)[^)#\s]+)(#[^)]*)?\)}{
      -e "$ENV{STAGE_DIR}/$2" ? "[$1]($2" . ($3 // "") . ")" : "$1 (in the source tree, not in this archive)"
    }ge' "$md"
done

# Reproducible: sorted names, root ownership, the commit's time (or 0 outside git).
epoch=$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)
archive=$target/$name-linux-amd64.tar.gz
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$target/dist" -cf - "$name" | gzip -n -6 > "$archive"
(cd "$target" && sha256sum "$(basename "$archive")" > "$(basename "$archive").sha256")
say "release archive: $archive ($(du -h "$archive" | cut -f1)), sha256 $(cut -d' ' -f1 "$archive.sha256")"

# The image's files. The base is empty, so the runtime brings its own C library: every shared library the JVM's
# own libraries link to (the AWT and sound libraries are left out: meshform draws nothing).
img=$target/image-root
mkdir -p "$img/opt/meshform/lib" "$img/usr/local/bin" "$img/etc" "$img/tmp" "$img/lib64" "$img/lib/x86_64-linux-gnu"
cp -a "$runtime" "$img/opt/meshform/runtime"
rm -f "$img"/opt/meshform/runtime/lib/{libawt,libawt_xawt,libawt_headless,libfontmanager,libjavajpeg,liblcms,libmlib_image,libsplashscreen,libjsound,libjawt}.so
cp "$jar" "$img/opt/meshform/lib/meshform.jar"
cp "$istioctl" "$img/usr/local/bin/istioctl"
for lib in $(ldd "$img"/opt/meshform/runtime/bin/java "$img"/opt/meshform/runtime/lib/*.so "$img"/opt/meshform/runtime/lib/server/libjvm.so \
    | awk '/=> \// {print $3} /^\t\/lib64\// {print $1}' | sort -u); do
  case $lib in
    "$img"/*) ;;
    /lib64/*) cp -L "$lib" "$img/lib64/" ;;
    *) cp -L "$lib" "$img/lib/x86_64-linux-gnu/" ;;
  esac
done
cp -L /lib64/ld-linux-x86-64.so.2 "$img/lib64/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nmeshform:x:65532:65532:meshform:/tmp:/sbin/nologin\n' > "$img/etc/passwd"
printf 'root:x:0:\nmeshform:x:65532:\n' > "$img/etc/group"
echo "$version" > "$img/opt/meshform/VERSION"

# The image ships its class cache (AppCDS), since an image has no shell to make one on first run: the launcher's
# training (io.meshform.cli.Training) runs inside the image's root, as the entrypoint will, so the archive records
# /opt/meshform/lib/meshform.jar and the image's runtime. The JVM checks the jar's modification time against the
# archive and Jib stamps every file with 1970-01-01T00:00:01Z, so the jar gets that time first. Needs unshare and
# chroot (root, or user namespaces); without them the image works, only without the archive (said here).
touch -d @1 "$img/opt/meshform/lib/meshform.jar"
mkdir -p "$img/tmp/training"
cp "$root"/examples/cortex-*.yaml "$img/tmp/training/"
# -XX:-UsePerfData as in the entrypoint: else the JVM leaves /tmp/hsperfdata_root, root's, in the image's /tmp.
train=(/opt/meshform/runtime/bin/java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off -Duser.home=/tmp
  -XX:ArchiveClassesAtExit=/opt/meshform/lib/meshform.jsa -cp /opt/meshform/lib/meshform.jar io.meshform.cli.Training
  /tmp/training /tmp/training/cortex-production.yaml)
if [ "$(id -u)" = 0 ]; then inside=(/usr/bin/unshare --fork --pid --mount --mount-proc="$img/proc" /usr/sbin/chroot "$img")
else inside=(/usr/bin/unshare --map-root-user --fork --pid --mount --mount-proc="$img/proc" /usr/sbin/chroot "$img"); fi
mkdir -p "$img/proc"
env -i HOME=/tmp MESHFORM_ISTIOCTL=/usr/local/bin/istioctl PATH=/usr/local/bin:/opt/meshform/runtime/bin \
  "${inside[@]}" "${train[@]}" >/dev/null 2>&1 || true
rm -rf "$img/tmp/training" "$img/tmp/.cache" "$img/proc"
if [ -s "$img/opt/meshform/lib/meshform.jsa" ]; then
  say "image class cache: $(du -h "$img/opt/meshform/lib/meshform.jsa" | cut -f1)"
else
  say "WARNING: the image's class cache could not be made (unshare/chroot refused?): the image starts without it"
fi
say "image files: $img ($(du -sh "$img" | cut -f1)), istioctl $ISTIO_VERSION"
