#!/usr/bin/env bash
# A real Kubernetes control plane on loopback, for tests, benchmarks and the demo:
# etcd (Debian's etcd-server) + kube-apiserver + kube-controller-manager 1.20.2.
# TLS with a CA of its own, token authentication, RBAC, free ports on every start.
#
#   scripts/local-cluster.sh start [--dir DIR] [--full]
#                                                start; prints the admin kubeconfig path
#   scripts/local-cluster.sh env   [--dir DIR]   prints `export KUBECONFIG=...` for eval
#   scripts/local-cluster.sh stop  [--dir DIR]   stops everything started in DIR and removes DIR
#   scripts/local-cluster.sh status [--dir DIR]  exit 0 when the API server answers
#   scripts/local-cluster.sh gc-start [--dir DIR]  a garbage collector of its own (kube-controller-manager
#                                                with only that controller), for a cluster started --no-gc
#   scripts/local-cluster.sh gc-stop  [--dir DIR]  stops it
#   scripts/local-cluster.sh restart-apiserver [--dir DIR] [--down-seconds N]
#                                                stop kube-apiserver, wait N s (default 0), start it
#                                                again on the same port and etcd (fault injection)
#
# DIR defaults to /tmp/dynamic-slicing-cluster; give each concurrent user its own DIR.
# In DIR: kubeconfig (admin, system:masters), unbound.kubeconfig (user `unbound`, no bindings:
# RBAC tests bind it to what they test), tokens.csv, logs/, pids/, ca.crt.
# Options for start: --no-controller-manager (no GC, no ReplicaSets: benchmarks).
#   --no-gc: kube-controller-manager without its garbage collector, so that owned objects go only
#   when someone deletes them (tests that a controller's own deletes work; gc-start adds one).
#   --full: a whole one-node cluster (Linux, root): also kube-scheduler, the nodelifecycle
#   controller, containerd + runc, a CNI bridge on a private /24 and a kubelet, so pods really
#   run and readiness comes from probes. containerd and the kubelet live in a private mount
#   namespace whose /var and /run are overlays kept in DIR and whose kernel sysctls are files in
#   DIR: the host's sysctls, /var, /run and iptables stay as they were. The simulator images
#   (localhost/nexslice-{pause,ue-simulator,upf-simulator}:dev, docs/LOCAL-CLUSTER.md) are built
#   and imported at start. stop removes every process, shim, mount, the bridge and the cgroups.
#   DIR must not be under /var or /run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=/tmp/dynamic-slicing-cluster
WITH_KCM=1
WITH_GC=1
FULL=0
DOWN_SECONDS=0
cmd=${1:-}; shift || true
while (($#)); do
  case $1 in
    --dir) DIR=$2; shift 2 ;;
    --no-controller-manager) WITH_KCM=0; shift ;;
    --no-gc) WITH_GC=0; shift ;;
    --full) FULL=1; shift ;;
    --down-seconds) DOWN_SECONDS=$2; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

log() { echo "[local-cluster] $*" >&2; }
STARTING=0
die() {
  echo "[local-cluster] ERROR: $*" >&2
  if ((STARTING)) && [[ -d $DIR/pids ]]; then
    echo "[local-cluster] what did start is still running: remove it with scripts/local-cluster.sh stop --dir $DIR" >&2
  fi
  exit 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Ports below the kernel's ephemeral range: one picked inside it can be taken by any outgoing
# connection between the check and the bind (seen: kube-scheduler "address already in use").
EPHEMERAL_LOW=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
((EPHEMERAL_LOW > 12000)) || EPHEMERAL_LOW=32768
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((10000 + RANDOM % (EPHEMERAL_LOW - 10000)))
    if ! port_in_use "$p" && ! grep -qx "$p" "$DIR/.ports" 2>/dev/null; then
      echo "$p" >>"$DIR/.ports"; echo "$p"; return
    fi
  done
  die "no free loopback port found"
}

api_ready() {
  [[ -f $DIR/kubeconfig ]] || return 1
  curl -sf --max-time 2 --cacert "$DIR/ca.crt" -H "Authorization: Bearer $(cat "$DIR/admin.token")" \
    "$(cat "$DIR/server")/readyz" >/dev/null 2>&1
}

start_bg() { # name, command...
  local name=$1; shift
  setsid "$@" >"$DIR/logs/$name.log" 2>&1 < /dev/null &
  echo $! >"$DIR/pids/$name"
}

wait_for() { # description, seconds, command...
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

write_kubeconfig() { # file, user, token
  cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $(cat "$DIR/server")
    certificate-authority: $DIR/ca.crt
users:
- name: $2
  user:
    token: $3
contexts:
- name: local
  context: {cluster: local, user: $2, namespace: default}
current-context: local
KC
}

make_pki() {
  local pki=$DIR/pki
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=dynamic-slicing-local-ca" \
    -keyout "$pki/ca.key" -out "$DIR/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:10.96.0.1\n' >"$pki/san.ext"
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$DIR/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 30 -extfile "$pki/san.ext" -out "$pki/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
}

cmd_start() {
  if api_ready; then
    if ((FULL)) && [[ ! -f $DIR/node/ready ]]; then
      die "a control plane without a kubelet already runs in $DIR: stop it first (scripts/local-cluster.sh stop --dir $DIR)"
    fi
    log "already running in $DIR"; echo "$DIR/kubeconfig"; return
  fi
  [[ -e $DIR ]] && cmd_stop >/dev/null 2>&1 || true
  if ((FULL)); then node_preflight; fi
  STARTING=1
  local t0=$SECONDS
  local assets etcd_bin
  assets=$("$ROOT/scripts/build-control-plane.sh")
  etcd_bin=$assets/etcd; [[ -x $etcd_bin ]] || etcd_bin=$(command -v etcd || true)
  [[ -x $etcd_bin ]] || die "etcd not found: run 'sudo scripts/setup.sh' (installs etcd-server)"
  command -v openssl >/dev/null || die "openssl not found: run 'sudo scripts/setup.sh'"
  mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/etcd"
  echo "$assets" >"$DIR/assets"
  make_pki
  local admin_token unbound_token
  admin_token=$(openssl rand -hex 16); unbound_token=$(openssl rand -hex 16)
  echo "$admin_token" >"$DIR/admin.token"
  printf '%s,admin,admin-uid,"system:masters"\n%s,unbound,unbound-uid\n' "$admin_token" "$unbound_token" >"$DIR/tokens.csv"
  chmod 600 "$DIR/tokens.csv" "$DIR/admin.token"

  local attempt etcd_port peer_port api_port
  for attempt in 1 2 3; do
    etcd_port=$(free_port); peer_port=$(free_port)
    # --quota-backend-bytes: 8 GiB, etcd's suggested maximum; its default 2 GiB filled up in the
    # benchmark (tens of thousands of objects, with kube-controller-manager's ReplicaSets and pods),
    # and etcd then refuses every write ("mvcc: database space exceeded").
    start_bg etcd "$etcd_bin" --name local --data-dir "$DIR/etcd" \
      --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
      --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
      --initial-cluster "local=http://127.0.0.1:$peer_port" --unsafe-no-fsync --log-level warn \
      --quota-backend-bytes 8589934592
    if wait_for etcd 15 curl -sf --max-time 1 "http://127.0.0.1:$etcd_port/health" -o /dev/null; then break; fi
    kill "$(cat "$DIR/pids/etcd")" 2>/dev/null || true
    ((attempt < 3)) || die "etcd did not start: $(tail -5 "$DIR/logs/etcd.log")"
  done
  echo "http://127.0.0.1:$etcd_port" >"$DIR/etcd-url"

  for attempt in 1 2 3; do
    api_port=$(free_port)
    echo "https://127.0.0.1:$api_port" >"$DIR/server"
    # The arguments are kept so that restart-apiserver can start the same server again.
    apiserver_args=(\
      --etcd-servers "http://127.0.0.1:$etcd_port" --bind-address 127.0.0.1 --advertise-address 127.0.0.1 \
      --secure-port "$api_port" --insecure-port 0 --cert-dir "$DIR/pki" \
      --tls-cert-file "$DIR/pki/apiserver.crt" --tls-private-key-file "$DIR/pki/apiserver.key" \
      --client-ca-file "$DIR/ca.crt" --token-auth-file "$DIR/tokens.csv" --authorization-mode RBAC \
      --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$DIR/pki/sa.pub" \
      --service-account-signing-key-file "$DIR/pki/sa.key" --service-cluster-ip-range 10.96.0.0/12 \
      --allow-privileged=true --kubelet-preferred-address-types Hostname,InternalIP \
      --max-requests-inflight 800 --max-mutating-requests-inflight 400 --event-ttl 1h)
    printf '%s\n' "${apiserver_args[@]}" >"$DIR/kube-apiserver.args"
    start_bg kube-apiserver "$assets/kube-apiserver" "${apiserver_args[@]}"
    if wait_for kube-apiserver 60 api_ready_raw "$admin_token"; then break; fi
    kill "$(cat "$DIR/pids/kube-apiserver")" 2>/dev/null || true
    ((attempt < 3)) || die "kube-apiserver did not become ready: $(tail -5 "$DIR/logs/kube-apiserver.log")"
  done
  write_kubeconfig "$DIR/kubeconfig" admin "$admin_token"
  write_kubeconfig "$DIR/unbound.kubeconfig" unbound "$unbound_token"

  if ((WITH_KCM)); then
    local controllers=deployment,replicaset,namespace,serviceaccount,serviceaccount-token
    ((WITH_GC)) && controllers+=,garbagecollector
    ((FULL && !WITH_GC)) && die "--full keeps the garbage collector: drop --no-gc"
    # Without nodelifecycle the node keeps its not-ready taint and pods stay Pending.
    ((FULL)) && controllers+=,nodelifecycle,podgc
    start_bg kube-controller-manager "$assets/kube-controller-manager" \
      --kubeconfig "$DIR/kubeconfig" \
      --controllers "$controllers" \
      --service-account-private-key-file "$DIR/pki/sa.key" --root-ca-file "$DIR/ca.crt" \
      --use-service-account-credentials=false --leader-elect=false --port 0 --secure-port 0 \
      --concurrent-gc-syncs 10 --kube-api-qps 200 --kube-api-burst 400
    # Pods can only be created once the namespace's default ServiceAccount exists.
    wait_for "default ServiceAccount" 30 sa_exists "$admin_token" ||
      die "kube-controller-manager did not create the default ServiceAccount: $(tail -5 "$DIR/logs/kube-controller-manager.log")"
  fi
  if ((FULL)); then
    ((WITH_KCM)) || die "--full needs kube-controller-manager (nodelifecycle): drop --no-controller-manager"
    start_node "$assets"
    log "node ready after $((SECONDS - t0)) s: pods run here (images ${PAUSE_IMAGE}, ${UE_SIM_IMAGE}, ${UPF_SIM_IMAGE})"
  fi
  log "ready: $(cat "$DIR/server") (logs in $DIR/logs)"
  echo "$DIR/kubeconfig"
}

api_ready_raw() {
  curl -sf --max-time 2 --cacert "$DIR/ca.crt" -H "Authorization: Bearer $1" "$(cat "$DIR/server")/readyz" >/dev/null 2>&1
}
sa_exists() {
  curl -sf --max-time 2 --cacert "$DIR/ca.crt" -H "Authorization: Bearer $1" \
    "$(cat "$DIR/server")/api/v1/namespaces/default/serviceaccounts/default" >/dev/null 2>&1
}

cmd_stop() {
  [[ -d $DIR/pids ]] || { log "nothing running in $DIR"; rm -rf "$DIR"; return; }
  [[ -d $DIR/node ]] && stop_node
  local f pid
  for name in kube-scheduler kube-controller-manager-gc kube-controller-manager kube-apiserver etcd; do
    f=$DIR/pids/$name; [[ -f $f ]] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
  done
  for name in kube-scheduler kube-controller-manager-gc kube-controller-manager kube-apiserver etcd; do
    f=$DIR/pids/$name; [[ -f $f ]] || continue
    pid=$(cat "$f")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$DIR"
  log "stopped and removed $DIR"
}

cmd_restart_apiserver() {
  [[ -f $DIR/kube-apiserver.args ]] || die "no kube-apiserver started in $DIR"
  local pid; pid=$(cat "$DIR/pids/kube-apiserver")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  sleep "$DOWN_SECONDS"
  mapfile -t args <"$DIR/kube-apiserver.args"
  start_bg kube-apiserver "$(cat "$DIR/assets")/kube-apiserver" "${args[@]}"
  wait_for kube-apiserver 60 api_ready_raw "$(cat "$DIR/admin.token")" ||
    die "kube-apiserver did not come back: $(tail -5 "$DIR/logs/kube-apiserver.log")"
  log "kube-apiserver restarted after ${DOWN_SECONDS}s down"
}

cmd_gc_start() {
  [[ -f $DIR/assets ]] || die "no cluster started in $DIR"
  [[ -f $DIR/pids/kube-controller-manager-gc ]] && kill -0 "$(cat "$DIR/pids/kube-controller-manager-gc")" 2>/dev/null &&
    { log "a garbage collector already runs in $DIR"; return; }
  start_bg kube-controller-manager-gc "$(cat "$DIR/assets")/kube-controller-manager" \
    --kubeconfig "$DIR/kubeconfig" --controllers garbagecollector \
    --use-service-account-credentials=false --leader-elect=false --port 0 --secure-port 0 \
    --concurrent-gc-syncs 10 --kube-api-qps 200 --kube-api-burst 400
  log "garbage collector started in $DIR"
}

cmd_gc_stop() {
  local f=$DIR/pids/kube-controller-manager-gc pid
  [[ -f $f ]] || { log "no garbage collector of its own in $DIR"; return; }
  pid=$(cat "$f")
  kill_and_wait "$pid" # scripts/lib/node.sh
  rm -f "$f"
  log "garbage collector stopped in $DIR"
}

# shellcheck source=scripts/lib/node.sh
source "$ROOT/scripts/lib/node.sh"

case $cmd in
  start) cmd_start ;;
  restart-apiserver) cmd_restart_apiserver ;;
  gc-start) cmd_gc_start ;;
  gc-stop) cmd_gc_stop ;;
  stop) cmd_stop ;;
  env) [[ -f $DIR/kubeconfig ]] || die "not started: scripts/local-cluster.sh start --dir $DIR"
       echo "export KUBECONFIG=$DIR/kubeconfig" ;;
  status) api_ready ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
