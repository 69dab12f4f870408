# The node of scripts/local-cluster.sh --full: containerd + runc, a CNI bridge and a kubelet
# (plus kube-scheduler), isolated so that the host is left as it was. Sourced by
# local-cluster.sh, which provides DIR, log, die, free_port, start_bg and wait_for.
#
# Isolation (what each piece would otherwise change on the host):
# - a mount-namespace holder (`unshare -m --propagation private`); containerd and the kubelet are
#   started inside it with nsenter. There, /var and /run are overlays whose upper layers are in
#   DIR/node/ns (the kubelet writes /var/log/pods, CNI host-local and runc write under /var and
#   /run), and the sysctls the kubelet and the CNI bridge set (vm.overcommit_memory, kernel.panic,
#   kernel.panic_on_oops, kernel.keys.*, vm.panic_on_oom, net.ipv4.ip_forward) are bind-mounted
#   files of DIR/node/sysctl holding the values they want, so nothing writes the real ones.
# - containerd's root, state, socket and runc root are in DIR/node; its CRI plugin uses
#   restrict_oom_score_adj (root here lacks CAP_SYS_RESOURCE) and netns mounts under its state.
# - pods' cgroups: with --cgroups-per-qos=false the kubelet gives none and containerd puts each
#   sandbox and container in /k8s.io/<container id> of every hierarchy. stop kills what is in this
#   node's ones (ids from its runc root and containerd state) and removes them, and removes the
#   /k8s.io parents if they did not exist before start (and are empty: another full cluster may
#   still use them).
# - the kubelet makes no iptables chains; the CNI chain is bridge + host-local only (no masquerade,
#   no portmap), on a bridge dsbr-<id> with a /24 of 10.244.0.0/16 that no host route uses.
# - pods reach the API server as in any cluster, at the kubernetes Service (10.96.0.1:443): one
#   DNAT rule in the host's nat PREROUTING, for packets entering from this node's bridge only, to
#   the API server on 127.0.0.1 (route_localnet on that bridge alone); stop deletes the rule, the
#   bridge and its sysctl with it. This is what an in-cluster controller needs.
# Limits: no kube-proxy (other ClusterIPs do not route), no cluster DNS.

# shellcheck source=scripts/lib/images.sh
source "$ROOT/scripts/lib/images.sh"

NODE_SYSCTLS=(vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1
              kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000 net/ipv4/ip_forward=1)

node_id() { printf '%s' "$DIR" | sha256sum | cut -c1-6; }

node_preflight() {
  [[ $(uname -s) == Linux ]] || die "--full needs Linux (containerd, runc, namespaces); elsewhere use k3s or your own cluster"
  (($(id -u) == 0)) || die "--full needs root (mount namespaces, cgroups, a bridge): run it with sudo, or use the control plane alone (no --full)"
  local missing=() t
  for t in containerd ctr runc unshare nsenter busybox ip sha256sum iptables; do command -v "$t" >/dev/null || missing+=("$t"); done
  for t in bridge host-local loopback; do [[ -x /usr/lib/cni/$t ]] || missing+=("/usr/lib/cni/$t"); done
  ((${#missing[@]} == 0)) ||
    die "--full needs ${missing[*]}: run 'sudo scripts/setup.sh' (installs containerd runc containernetworking-plugins busybox-static iptables)"
  case $DIR in /var|/var/*|/run|/run/*) die "--dir $DIR: with --full, DIR must not be under /var or /run (they are overlaid)" ;; esac
}

ns_exec() { nsenter -t "$(cat "$DIR/pids/mntns")" -m -- "$@"; }

pick_subnet() {
  local id=$1 n i
  n=$((16#${id:0:4} % 250 + 1))
  for i in $(seq 0 249); do
    local x=$(((n + i) % 250 + 1))
    if ! ip -4 route show | grep -q "^10\.244\.$x\." && ! ip -4 addr show | grep -q " 10\.244\.$x\."; then
      echo "10.244.$x"; return
    fi
  done
  die "no free /24 in 10.244.0.0/16 for the pod network"
}

start_node() { # assets dir
  local assets=$1 node=$DIR/node id sock
  id=$(node_id)
  mkdir -p "$node"/{ns/var-upper,ns/var-work,ns/run-upper,ns/run-work,sysctl,cni,cni-ipam,containerd,runc,kubelet,images}
  echo "dsbr-$id" >"$node/bridge"
  local h
  for h in /sys/fs/cgroup/*/; do [[ -d ${h}k8s.io ]] || echo "${h}k8s.io"; done >"$node/cgroup-parents-created"
  local subnet; subnet=$(pick_subnet "$id")
  echo "$subnet.0/24" >"$node/subnet"
  sock=$node/containerd.sock

  log "building the local images (busybox-static, no registry)"
  build_local_images "$node/images"

  # The namespace holder; its argv[0] names DIR so that a leftover is easy to find.
  setsid unshare -m --propagation private -- bash -c 'exec -a "dynamic-slicing-mntns:$0" sleep infinity' "$DIR" \
    </dev/null >/dev/null 2>&1 &
  echo $! >"$DIR/pids/mntns"
  local holder; holder=$(cat "$DIR/pids/mntns")
  wait_for "mount namespace" 5 bash -c "[[ \$(readlink /proc/$holder/ns/mnt) != \$(readlink /proc/self/ns/mnt) ]]" ||
    die "the mount-namespace holder did not start"
  local entry
  for entry in "${NODE_SYSCTLS[@]}"; do
    local key=${entry%%=*} value=${entry#*=}
    [[ -e /proc/sys/$key ]] || continue
    echo "$value" >"$node/sysctl/${key//\//.}"
  done
  # shellcheck disable=SC2016
  ns_exec bash -euc '
    node=$1
    mount -t overlay overlay -o "lowerdir=/var,upperdir=$node/ns/var-upper,workdir=$node/ns/var-work" /var
    mount -t overlay overlay -o "lowerdir=/run,upperdir=$node/ns/run-upper,workdir=$node/ns/run-work" /run
    for f in "$node"/sysctl/*; do
      mount --bind "$f" "/proc/sys/$(basename "$f" | tr . /)"
    done' _ "$node" || die "could not set up the private mount namespace (overlays on /var and /run)"

  # The bridge is made here, not by the CNI plugin at the first pod (which reuses it), so that the
  # pods' way to the API server is in place before any pod runs.
  ip link add "dsbr-$id" type bridge 2>/dev/null || ip link show "dsbr-$id" >/dev/null ||
    die "could not create the bridge dsbr-$id"
  ip link set "dsbr-$id" up
  echo 1 >"/proc/sys/net/ipv4/conf/dsbr-$id/route_localnet"
  local api_port; api_port=$(sed 's#.*:##' "$DIR/server")
  printf '%s\n' PREROUTING -i "dsbr-$id" -d 10.96.0.1/32 -p tcp --dport 443 -m comment --comment "dynamic-slicing $DIR" \
    -j DNAT --to-destination "127.0.0.1:$api_port" >"$node/api-dnat"
  mapfile -t dnat <"$node/api-dnat"
  # With iptables' nf_tables backend the rule creates the host's nat table if there was none, and
  # deleting the rule leaves the table: remember, so that stop removes a table it made. (Plain
  # iptables-save: with -t nat it would make the table itself.)
  local tables; tables=$(iptables-save 2>/dev/null || true)
  [[ $tables == *$'\n*nat'* || $tables == '*nat'* ]] || touch "$node/nat-table-made"
  iptables -w -t nat -A "${dnat[@]}" || die "could not add the DNAT rule that lets pods reach the API server"

  cat >"$node/cni/10-dynamic-slicing.conflist" <<CNI
{"cniVersion": "0.4.0", "name": "dynamic-slicing-$id", "plugins": [
  {"type": "bridge", "bridge": "dsbr-$id", "isGateway": true, "isDefaultGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$subnet.0/24"}]], "dataDir": "$node/cni-ipam"}}]}
CNI
  cat >"$node/containerd.toml" <<TOML
version = 2
root = "$node/containerd/root"
state = "$node/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$node/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$node/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$node/cni"
    max_conf_num = 1
TOML
  # nsenter and setsid exec: the recorded pid is containerd's (and below, the kubelet's).
  start_bg containerd nsenter -t "$holder" -m -- containerd --config "$node/containerd.toml"
  wait_for containerd 20 ctr_quiet --address "$sock" version ||
    die "containerd did not start: $(tail -5 "$DIR/logs/containerd.log")"
  local tarball
  for tarball in "$node"/images/*.tar; do
    ctr --address "$sock" -n k8s.io images import "$tarball" >>"$DIR/logs/images.log" 2>&1 ||
      die "could not import $tarball into containerd: $(tail -3 "$DIR/logs/images.log")"
  done

  local sched_port kubelet_port healthz_port attempt
  # The scheduler is checked, not assumed: if it dies at start (a port taken meanwhile), pods
  # would stay Pending with nothing said. Three tries on fresh ports.
  for attempt in 1 2 3; do
    sched_port=$(free_port)
    start_bg kube-scheduler "$assets/kube-scheduler" --kubeconfig "$DIR/kubeconfig" --leader-elect=false \
      --port 0 --secure-port "$sched_port" --bind-address 127.0.0.1
    if wait_for kube-scheduler 30 scheduler_healthy "$sched_port"; then break; fi
    kill "$(cat "$DIR/pids/kube-scheduler")" 2>/dev/null || true
    ((attempt < 3)) || die "kube-scheduler did not start: $(tail -3 "$DIR/logs/kube-scheduler.log")"
  done
  kubelet_port=$(free_port); healthz_port=$(free_port)
  start_bg kubelet nsenter -t "$holder" -m -- "$assets/kubelet" \
    --kubeconfig "$DIR/kubeconfig" --container-runtime remote \
    --container-runtime-endpoint "unix://$sock" --image-service-endpoint "unix://$sock" \
    --cgroup-driver cgroupfs --cgroups-per-qos=false --enforce-node-allocatable= \
    --fail-swap-on=false --root-dir "$node/kubelet" --cert-dir "$node/kubelet/pki" \
    --volume-plugin-dir "$node/kubelet/volume-plugins" \
    --hostname-override localhost --address 127.0.0.1 --port "$kubelet_port" \
    --healthz-bind-address 127.0.0.1 --healthz-port "$healthz_port" --read-only-port 0 \
    --make-iptables-util-chains=false --pod-infra-container-image "$PAUSE_IMAGE" \
    --image-gc-high-threshold 100 --image-gc-low-threshold 99 \
    --eviction-hard 'memory.available<1Mi,nodefs.available<1%,imagefs.available<1%,nodefs.inodesFree<1%' \
    --node-status-update-frequency 2s --runtime-request-timeout 2m --serialize-image-pulls=false \
    --v 1
  wait_for "node Ready" 90 node_ready ||
    die "the node did not become Ready: $(tail -5 "$DIR/logs/kubelet.log")"
  touch "$node/ready"
}

scheduler_healthy() { # port
  kill -0 "$(cat "$DIR/pids/kube-scheduler")" 2>/dev/null &&
    curl -skf --max-time 2 "https://127.0.0.1:$1/healthz" >/dev/null 2>&1
}

# Ready, and the not-ready taint lifted by the nodelifecycle controller (pods can be scheduled).
node_ready() {
  local out
  out=$(curl -sf --max-time 2 --cacert "$DIR/ca.crt" -H "Authorization: Bearer $(cat "$DIR/admin.token")" \
    "$(cat "$DIR/server")/api/v1/nodes/localhost" 2>/dev/null) || return 1
  jq -e '([.status.conditions[] | select(.type == "Ready" and .status == "True")] | length == 1)
         and ([(.spec.taints // [])[] | select(.key | startswith("node.kubernetes.io/"))] | length == 0)' \
    <<<"$out" >/dev/null
}

kill_and_wait() { # pid...: TERM, up to 5 s, then KILL
  local pid
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

# Processes whose command line names this node's directory: containerd's shims (their -address is
# this containerd's socket), and containerd or the kubelet if their pid files were lost.
node_pids() {
  local p
  for p in /proc/[0-9]*; do
    [[ -r $p/cmdline ]] || continue
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$DIR/node/"; then echo "${p#/proc/}"; fi
  done
}

ctr_quiet() { ctr "$@" >/dev/null 2>&1; }

# Sandboxes and containers this node's containerd made (their cgroups are /k8s.io/<id>).
node_container_ids() {
  ls "$DIR/node/runc/k8s.io" "$DIR/node/containerd/state/io.containerd.runtime.v2.task/k8s.io" 2>/dev/null |
    grep -E '^[0-9a-f]{64}$' | sort -u || true
}

node_cgroup_pids() { # ids...
  local id
  for id in "$@"; do cat /sys/fs/cgroup/*/k8s.io/"$id"/cgroup.procs 2>/dev/null || true; done | sort -un
}

stop_node() {
  local node=$DIR/node ids
  # Read before anything exits: shims remove their state as their containers go.
  mapfile -t ids < <(node_container_ids)
  # The kubelet first (it would restart containers), graceful pod deletion only wastes time.
  [[ -f $DIR/pids/kubelet ]] && kill_and_wait "$(cat "$DIR/pids/kubelet")"
  # The containers: every process in this node's cgroups.
  for _ in 1 2 3 4 5; do
    mapfile -t pids < <(node_cgroup_pids "${ids[@]}")
    ((${#pids[@]})) || break
    kill -9 "${pids[@]}" 2>/dev/null || true
    sleep 0.2
  done
  [[ -f $DIR/pids/containerd ]] && kill_and_wait "$(cat "$DIR/pids/containerd")"
  # Shims (found by this containerd's socket path) and anything else naming DIR.
  mapfile -t pids < <(node_pids)
  ((${#pids[@]})) && kill_and_wait "${pids[@]}"
  # The namespace holder last: with it the overlays, sysctl files and netns mounts go.
  [[ -f $DIR/pids/mntns ]] && kill_and_wait "$(cat "$DIR/pids/mntns")"
  if [[ -f $node/api-dnat ]]; then
    mapfile -t dnat <"$node/api-dnat"
    while iptables -w -t nat -D "${dnat[@]}" 2>/dev/null; do :; done
    rm -f "$node/api-dnat"
  fi
  if [[ -f $node/nat-table-made ]]; then
    # Only a table as iptables made it: the four built-in chains, accepting, and nothing else
    # (someone else's rule or chain keeps it).
    local others
    others=$(iptables-save 2>/dev/null | sed -n '/^\*nat$/,/^COMMIT$/p' |
      grep -vE '^(\*nat|COMMIT|:(PREROUTING|INPUT|OUTPUT|POSTROUTING) ACCEPT \[[0-9]+:[0-9]+\])$' || true)
    if [[ -z $others ]]; then
      nft delete table ip nat 2>/dev/null || true
    fi
    rm -f "$node/nat-table-made"
  fi
  local bridge id d
  bridge=$(cat "$node/bridge" 2>/dev/null || true)
  if [[ -n $bridge ]] && ip link show "$bridge" >/dev/null 2>&1; then
    # The pods' network namespaces die with the mount namespace that held them, and their veths
    # with them; the kernel does that asynchronously.
    for _ in $(seq 1 100); do [[ -z $(ip -o link show master "$bridge" 2>/dev/null) ]] && break; sleep 0.1; done
    ip link delete "$bridge" || true
  fi
  for id in "${ids[@]}"; do
    for d in /sys/fs/cgroup/*/k8s.io/"$id"; do
      [[ -d $d ]] && { find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
    done
  done
  if [[ -f $node/cgroup-parents-created ]]; then
    while read -r d; do [[ -d $d ]] && { rmdir "$d" 2>/dev/null || true; }; done <"$node/cgroup-parents-created"
  fi
  rm -f "$DIR/pids/kubelet" "$DIR/pids/containerd" "$DIR/pids/mntns"
}
