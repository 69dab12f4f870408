#!/usr/bin/env bash
# Container images for dynamic-slicing's full local cluster, built without Docker or a registry:
# a docker-archive tarball (manifest.json, config JSON, one layer tar) holding busybox-static,
# its applet links and the files of scripts/images/<name>/rootfs. Reproducible (sorted, mtime 0, root
# owned): the same inputs give the same image ID, so a re-import changes nothing.
#
#   source scripts/lib/images.sh
#   build_image NAME REF OUT.tar ENTRYPOINT...   e.g. build_image ue-simulator localhost/x:dev out.tar nr-ue
#   build_local_images OUTDIR                    the three images below, one tarball each
#
# Images (simulators for the local cluster only; real clusters run the real images):
#   localhost/nexslice-pause:dev          pod sandbox
#   localhost/nexslice-ue-simulator:dev   stands in for UERANSIM's nr-ue
#   localhost/nexslice-upf-simulator:dev  stands in for the OAI and free5GC UPFs

IMAGES_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PAUSE_IMAGE=localhost/nexslice-pause:dev
UE_SIM_IMAGE=localhost/nexslice-ue-simulator:dev
UPF_SIM_IMAGE=localhost/nexslice-upf-simulator:dev

build_image() { # name ref out entrypoint...
  local name=$1 ref=$2 out=$3; shift 3
  local src=$IMAGES_ROOT/images/$name/rootfs busybox
  [[ -d $src ]] || { echo "build_image: no $src" >&2; return 1; }
  busybox=$(command -v busybox) || { echo "build_image: busybox not found: apt-get install busybox-static" >&2; return 1; }
  file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
    ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
    { echo "build_image: $busybox is not statically linked: apt-get install busybox-static" >&2; return 1; }
  local work; work=$(mktemp -d)
  mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp" "$work/rootfs/etc" "$work/rootfs/proc" "$work/rootfs/sys" \
    "$work/rootfs/dev" "$work/rootfs/run" "$work/rootfs/var/tmp" "$work/rootfs/usr/local/bin" "$work/rootfs/sbin"
  chmod 1777 "$work/rootfs/tmp" "$work/rootfs/var/tmp"
  cp "$busybox" "$work/rootfs/bin/busybox"
  local applet
  for applet in $("$busybox" --list); do
    [[ $applet == busybox ]] || ln -s busybox "$work/rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$work/rootfs/etc/passwd"
  printf 'root:x:0:\n' >"$work/rootfs/etc/group"
  cp -a "$src/." "$work/rootfs/"   # image files win over applet links (e.g. /bin/bash)
  local entry; entry=$(printf '"%s",' "$@"); entry="[${entry%,}]"
  archive_rootfs "$work/rootfs" "$ref" "$out" \
    "{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"Entrypoint\":$entry,\"WorkingDir\":\"/\",\"Labels\":{\"org.opencontainers.image.title\":\"nexslice-$name\",\"org.opencontainers.image.description\":\"dynamic-slicing local cluster only: a simulator, not the real image\"}}" \
    "scripts/lib/images.sh build_image $name"
  rm -rf "$work"
}

# archive_rootfs ROOTFS REF OUT CONFIG CREATED_BY: ROOTFS as a one-layer docker-archive tarball
# (what `docker save` writes; ctr, k3s ctr and jib's tar:// base all read it), image config CONFIG
# (a JSON object), reproducible: sorted, mtime 0, root owned.
archive_rootfs() {
  local rootfs=$1 ref=$2 out=$3 config=$4 created_by=$5
  local work; work=$(mktemp -d)
  mkdir -p "$work/archive"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
  local layer_sha; layer_sha=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  mkdir -p "$work/archive/$layer_sha"
  mv "$work/layer.tar" "$work/archive/$layer_sha/layer.tar"
  printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"%s"}]}' \
    "$config" "$layer_sha" "$created_by" >"$work/config.json"
  local config_sha; config_sha=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mv "$work/config.json" "$work/archive/$config_sha.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_sha" "$ref" "$layer_sha" \
    >"$work/archive/manifest.json"
  # Entries without a "./" prefix: jib refuses to unpack a "./" entry of a tar:// base.
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/archive" -cf "$out" \
    manifest.json "$config_sha.json" "$layer_sha"
  rm -rf "$work"
}

build_local_images() { # outdir
  mkdir -p "$1"
  build_image pause "$PAUSE_IMAGE" "$1/pause.tar" /usr/local/bin/pause
  build_image ue-simulator "$UE_SIM_IMAGE" "$1/ue-simulator.tar" /usr/local/bin/nr-ue
  build_image upf-simulator "$UPF_SIM_IMAGE" "$1/upf-simulator.tar" /usr/local/bin/upf-sim
}
