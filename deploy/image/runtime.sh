#!/usr/bin/env bash
# Assembles the root filesystem the Airlock image runs on: a jlink'd Java runtime with only the
# modules Airlock uses, the shared libraries that runtime links against (taken from this build
# machine, so build on a patched Debian and rebuild to take security fixes), and the few files a
# JVM expects under /etc. No shell, no package manager: nothing for an intruder to use.
#
# Why not a registry base image: this project builds where only Maven Central and Debian's
# packages are reachable. See docs/operations.md ("The image").
#
# usage: runtime.sh OUT_DIR UID [CLASSPATH]
# Writes the tree to OUT_DIR and the same tree as a one-layer base image to OUT_DIR.tar (the
# `docker save` layout Jib reads as `tar://`): a layer, not Jib's extraDirectories, because only a
# layer can give /var/lib/airlock to the image's user and /tmp its sticky bit.
set -euo pipefail

# A build under umask 002 or 000 must not give the image group- or world-writable files (the
# layer below also strips those bits whatever the umask).
umask 022

out="${1:?usage: runtime.sh OUT_DIR UID}"
uid="${2:?usage: runtime.sh OUT_DIR UID}"
classpath="${3:-}"

java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
jlink="$java_home/bin/jlink"
[ -x "$jlink" ] || { echo "runtime.sh: no jlink in $java_home (install a full JDK)" >&2; exit 1; }
[ -d "$java_home/jmods" ] || {
  echo "runtime.sh: $java_home/jmods is missing (Debian: apt-get install openjdk-<N>-jmods)" >&2
  exit 1
}

# What Airlock needs at run time: Netty (jdk.unsupported), Jackson (java.sql, which brings
# java.xml), logback (java.naming), the SunEC fallback when ACCP cannot load (jdk.crypto.ec), DNS
# (jdk.naming.dns); and for operators of a live node: JFR (jdk.jfr) and the management beans
# (java.management, jdk.management).
# ImageIT starts the demo inside the image: a module missing here fails it.
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml
modules+=,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs

rm -rf "$out"
mkdir -p "$out/opt"
"$jlink" --module-path "$java_home/jmods" --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$out/opt/java" 2> >(grep -v -i "deprecated" >&2)

# Debian's JDK keeps cacerts outside the JDK as a symlink: put the real trust store in.
cacerts="$(readlink -f "$java_home/lib/security/cacerts" || true)"
if [ -f "$cacerts" ]; then
  rm -f "$out/opt/java/lib/security/cacerts"
  cp "$cacerts" "$out/opt/java/lib/security/cacerts"
fi

# Every shared library the runtime's ELF files link against, at the same path, plus the loader.
copy_lib() {
  local lib="$1"
  [ -e "$out$lib" ] && return 0
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
}
# Native libraries inside the application's jars too: ACCP unpacks libamazonCorrettoCryptoProvider.so
# at run time, and it links against libdl.so.2, which the JDK does not; without it ACCP cannot
# load and every uncached grant's ECDSA check falls back to SunEC, about 20 times slower
# (ImageIT fails on the fallback warning).
natives="$(mktemp -d)"
trap 'rm -rf "$natives"' EXIT
IFS=: read -ra jars <<< "$classpath"
for jar in "${jars[@]}"; do
  case "$jar" in *.jar) ;; *) continue ;; esac
  mapfile -t entries < <("$java_home/bin/jar" tf "$jar" | grep '\.so$' || true)
  [ "${#entries[@]}" -gt 0 ] || continue
  (cd "$natives" && "$java_home/bin/jar" xf "$jar" "${entries[@]}")
done
while IFS= read -r elf; do
  ldd "$elf" 2>/dev/null | awk '/=> \// { print $3 } /^\s*\/[^ ]+ \(/ { print $1 }' || true
done < <(find "$out/opt/java" "$natives" -type f \( -name '*.so' -o -path "$out/opt/java/bin/*" \)) | sort -u | while IFS= read -r lib; do
  case "$lib" in
    "$out"/*) ;;                      # the runtime's own libraries are there already
    *) copy_lib "$lib" ;;
  esac
done
# The loader path the binaries name (PT_INTERP), e.g. /lib64/ld-linux-x86-64.so.2.
interp="$(readelf -l "$out/opt/java/bin/java" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')"
[ -n "$interp" ] && copy_lib "$interp"

# /proc: the mount point runtimes (and ImageIT's unshare) mount procfs on; glibc reads
# /proc/self/exe to resolve the launcher's $ORIGIN rpath.
mkdir -p "$out/proc"
mkdir -p "$out/etc" "$out/tmp" "$out/var/lib/airlock/audit" "$out/etc/airlock"
chmod 1777 "$out/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nairlock:x:%s:%s:airlock:/var/lib/airlock:/sbin/nologin\n' \
  "$uid" "$uid" > "$out/etc/passwd"
printf 'root:x:0:\nairlock:x:%s:\n' "$uid" > "$out/etc/group"
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"

# The base image. Owners and modes are set here, not taken from the build machine, and every
# mtime is the epoch, so the same inputs give the same digest.
build="$(mktemp -d)"
trap 'rm -rf "$build" "$natives"' EXIT
layer="$build/layer.tar"
tar_opts=(--numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name -C "$out")
tar --create --file "$layer" "${tar_opts[@]}" --mode=go-w --exclude=./tmp --exclude=./var .
tar --append --file "$layer" "${tar_opts[@]}" --mode=1777 --no-recursion ./tmp
tar --append --file "$layer" "${tar_opts[@]}" --mode=go-w --no-recursion ./var ./var/lib
# the node's home and audit directory belong to its user, and to nobody else
tar --append --file "$layer" --numeric-owner --owner="$uid" --group="$uid" --mode=u=rwX,go= \
  --mtime=@0 --sort=name -C "$out" ./var/lib/airlock
layer_sha="$(sha256sum "$layer" | cut -d' ' -f1)"
mv "$layer" "$build/$layer_sha.tar"
printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"deploy/image/runtime.sh"}]}' \
  "$layer_sha" > "$build/config.json"
config_sha="$(sha256sum "$build/config.json" | cut -d' ' -f1)"
mv "$build/config.json" "$build/$config_sha.json"
printf '[{"Config":"%s.json","RepoTags":["airlock-runtime:local"],"Layers":["%s.tar"]}]' \
  "$config_sha" "$layer_sha" > "$build/manifest.json"
tar --create --file "$out.tar" --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$build" \
  manifest.json "$config_sha.json" "$layer_sha.tar"
echo "runtime.sh: $(du -sh "$out" | cut -f1) in $out, base image $out.tar (modules: $modules)"
