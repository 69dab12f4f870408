#!/usr/bin/env bash
# UERANSIM UEs for a NexSlice testbed, with kubectl only. The controller does the rest: a UE pod
# that becomes Ready (registered with the core) gets its UPF, and once that UPF has a replica
# available the controller marks the pod (nexslice.io/upf-ready=true); only then does the UE open
# its PDU session, so the SMF can pick the UE's own UPF.
#
#   scripts/ue.sh add [--count N] [--slice 1|2|3] [--namespace NS] [--image IMAGE] [--static-ip A.B.C.D]
#   scripts/ue.sh remove <pod>... | --all [--namespace NS]
#   scripts/ue.sh list [--namespace NS]
#   scripts/ue.sh optin <pod> [--namespace NS]     label an existing UERANSIM pod for a UPF
#   scripts/ue.sh optout <pod> [--namespace NS]    remove that label: its UPF goes
#   scripts/ue.sh rebind <pod>... | --all [--namespace NS]   re-open the sessions of UEs whose
#                                                  session predates their UPF (kubectl exec)
#   scripts/ue.sh verify [<pod>... | --all] [--namespace NS]  which UPF carries each UE's sessions
#   scripts/ue.sh manifest [--imsi N] [--slice 1|2|3] [--namespace NS] [--image IMAGE]
#                                                  print the ConfigMap and Pod add would create
#
# add creates, per UE, a ConfigMap holding a UERANSIM ue.yaml (sessions: [], so the UE only
# registers) and ue-session.sh (the pod's entrypoint: runs nr-ue, opens the session when the pod
# carries the controller's mark, releases it when the mark goes), and a Pod that mounts both plus
# its own annotations (downward API), with credentials the NexSlice core has provisioned: PLMN
# 208/95, the next IMSI of 208950000000031..208950000000131 that no live UE holds, key 0C0A3460...
# and OPc 63bfa50e..., slice sst 1|2|3 with DNN oai|oai2|oai3, gNB ueransim-gnb. Ready means
# registered (nr-cli ... status shows RM-REGISTERED). --static-ip (one UE) annotates the pod
# nexslice.io/ue-ip: with the free5gc profile its UPF's pool is that address alone, so a free5GC
# SMF can give the UE no other UPF; give its subscriber the same static address in the core.
#
# Environment: KUBECTL (default: kubectl on PATH, else the one scripts/setup.sh built),
# UE_IMAGE (default gradiant/ueransim:3.2.6), UE_GNB (default ueransim-gnb),
# UE_IMSI_FIRST / UE_IMSI_LAST (the provisioned range), UE_SELECTOR_LABEL (default
# nexslice.io/dynamic-upf), UE_IMAGE_PULL_POLICY (default IfNotPresent; Never for the local
# cluster's localhost/nexslice-* images, which no registry has).
# On the full local cluster (scripts/local-cluster.sh start --full) use the UE simulator:
#   UE_IMAGE=localhost/nexslice-ue-simulator:dev scripts/ue.sh add   (or --image ...)
# and, for it only, UE_SIM_ATTACH_DELAY_SECONDS / UE_SIM_DETACH_DELAY_SECONDS are passed to the
# pod when set (docs/LOCAL-CLUSTER.md). UE_REBIND_TIMEOUT (seconds, default 60): how long rebind
# waits for a pod's mark. UE_SLICE_SUBNETS (default oai=12.1.1.0/24,oai2=12.1.2.0/24,oai3=12.1.3.0/24,
# NexSlice's OAI SMF pools): the DNN pools verify accepts besides the UPF's own pool.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NAMESPACE=${UE_NAMESPACE:-nexslice}
IMAGE=${UE_IMAGE:-gradiant/ueransim:3.2.6}
PULL_POLICY=${UE_IMAGE_PULL_POLICY:-}
GNB=${UE_GNB:-ueransim-gnb}
IMSI_FIRST=${UE_IMSI_FIRST:-208950000000031}
IMSI_LAST=${UE_IMSI_LAST:-208950000000131}
OPT_IN_LABEL=${UE_SELECTOR_LABEL:-nexslice.io/dynamic-upf}
KEY=0C0A34601D4F07677303652C0462535B
OPC=63bfa50ee6523365ff14c1f45f88737d
TOOL_LABEL=app.kubernetes.io/managed-by=ue.sh
REBIND_TIMEOUT=${UE_REBIND_TIMEOUT:-60}
SLICE_SUBNETS=${UE_SLICE_SUBNETS:-oai=12.1.1.0/24,oai2=12.1.2.0/24,oai3=12.1.3.0/24}
# Where a UE container keeps "<imsi> <unix time> <UPF>" for each UE whose sessions were opened
# after its UPF was marked ready (ue-session.sh and rebind write it, verify reads it).
SESSION_RECORD=/tmp/nexslice-sessions
# The controller's field manager: the time of its apply on a pod is when the mark was set.
CONTROLLER_MANAGER=dynamic-slicing

die() { echo "ue.sh: $*" >&2; exit 1; }

if [[ -n ${KUBECTL:-} ]]; then :
elif command -v kubectl >/dev/null; then KUBECTL=kubectl
elif [[ -x $HOME/.cache/dynamic-slicing/k8s-1.20.2/kubectl ]]; then KUBECTL=$HOME/.cache/dynamic-slicing/k8s-1.20.2/kubectl
else die "kubectl not found: install it, or run scripts/setup.sh (builds one), or set KUBECTL"; fi
k() { "$KUBECTL" "$@"; }

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

require_namespace() {
  k get namespace "$NAMESPACE" >/dev/null 2>&1 ||
    die "namespace '$NAMESPACE' does not exist (or the cluster is unreachable): create it with 'kubectl create namespace $NAMESPACE', or pass --namespace"
}

require_pod() {
  k -n "$NAMESPACE" get pod "$1" >/dev/null 2>&1 || die "pod '$1' not found in namespace '$NAMESPACE'"
}

slice_dnn() {
  case $1 in 1) echo oai ;; 2) echo oai2 ;; 3) echo oai3 ;; *) die "--slice must be 1, 2 or 3 (NexSlice's slices), not '$1'" ;; esac
}

# IMSIs held by live UEs: ours carry the nexslice.io/imsi label. Cluster-wide when allowed,
# since the core's subscriber database is shared by every namespace.
held_imsis() {
  k get pods --all-namespaces -l nexslice.io/imsi -o jsonpath='{range .items[*]}{.metadata.labels.nexslice\.io/imsi}{"\n"}{end}' 2>/dev/null ||
    k -n "$NAMESPACE" get pods -l nexslice.io/imsi -o jsonpath='{range .items[*]}{.metadata.labels.nexslice\.io/imsi}{"\n"}{end}'
}

ue_yaml() { # imsi sst dnn
  cat <<YAML
# UERANSIM UE made by dynamic-slicing's scripts/ue.sh: credentials provisioned in NexSlice's core.
supi: 'imsi-$1'
mcc: '208'
mnc: '95'
key: '$KEY'
op: '$OPC'
opType: 'OPC'
amf: '8000'
imei: '3569380356${1: -5}'
imeiSv: '43708161258${1: -5}'
gnbSearchList:
  - $GNB
uacAic: {mps: false, mcs: false}
uacAcc: {normalClass: 0, class11: false, class12: false, class13: false, class14: false, class15: false}
# No session at start: ue-session.sh opens it once the controller marks the pod
# (nexslice.io/upf-ready), so the UE's UPF exists before the SMF picks one. The session it opens:
#   ps-establish IPv4 --sst $2 --sd 0xffffff --dnn $3
sessions: []
configured-nssai:
  - {sst: $2, sd: 0xffffff}
default-nssai:
  - {sst: $2, sd: 0xffffff}
integrity: {IA1: true, IA2: true, IA3: true}
ciphering: {EA1: true, EA2: true, EA3: true}
integrityMaxRate: {uplink: 'full', downlink: 'full'}
YAML
}

# The UE pod's entrypoint, shipped in its ConfigMap so that the stock UERANSIM image runs it
# (POSIX sh, nr-ue and nr-cli only; busybox is enough).
ue_session_sh() {
  cat <<'SH'
#!/bin/sh
# ue-session.sh, made by dynamic-slicing's scripts/ue.sh. Runs UERANSIM's nr-ue with no PDU
# session, and opens the session written in ue.yaml ("#   ps-establish ...") only once the
# controller has marked this pod: annotations nexslice.io/upf=<UPF> and nexslice.io/upf-ready="true",
# read from the downward-API file below. The mark means the UE's own UPF has a replica available,
# so the SMF can choose it. When the mark goes (UE detached, UPF unavailable) the session is
# released; when it names another UPF, the session is opened again.
CONFIG=${UE_CONFIG:-/etc/ueransim/ue.yaml}
MARKS=${UE_MARKS:-/etc/nexslice/annotations}
RECORD=/tmp/nexslice-sessions
log() { echo "[ue-session] $(date -u +%Y-%m-%dT%H:%M:%SZ) $*"; }
mark() { sed -n "s|^nexslice\.io/$1=\"\(.*\)\"\$|\1|p" "$MARKS" 2>/dev/null; }
supi=$(sed -n "s/^supi:[[:space:]]*['\"]\{0,1\}\(imsi-[0-9]*\).*/\1/p" "$CONFIG")
sessions=$(sed -n 's/^#[[:space:]]*\(ps-establish .*\)$/\1/p' "$CONFIG")
[ -n "$supi" ] || { log "ERROR: no 'supi: imsi-...' in $CONFIG"; exit 1; }
[ -n "$sessions" ] || log "no '#   ps-establish ...' line in $CONFIG: no session will be opened"
registered() { nr-cli "$supi" -e status 2>/dev/null | grep -q 'rm-state: RM-REGISTERED'; }
has_session() { nr-cli "$supi" -e ps-list 2>/dev/null | grep -q '^PDU Session'; }

nr-ue -c "$CONFIG" &
ue=$!
trap 'kill -TERM $ue 2>/dev/null; wait $ue; exit $?' TERM INT
log "$supi: waiting for the controller's mark (nexslice.io/upf-ready) before opening a session"
opened=""   # the UPF the session was opened for
next_try=0  # a failed establishment (the core refused it) is tried again 10 s later, not every second
while kill -0 $ue 2>/dev/null; do
  upf=""
  [ "$(mark upf-ready)" = true ] && upf=$(mark upf)
  if [ -n "$upf" ]; then
    # No session yet, another UPF named, or the session lost (deregistered, released by the core).
    if { [ "$upf" != "$opened" ] || ! has_session; } && [ "$(date +%s)" -ge "$next_try" ] && registered; then
      if [ -n "$opened" ] && [ "$upf" != "$opened" ] && has_session; then
        log "the mark names UPF $upf now (was $opened): releasing the session to open it again"
        nr-cli "$supi" -e ps-release-all >/dev/null
        while has_session; do sleep 1; done
      fi
      log "UPF $upf is ready (nexslice.io/upf-ready): opening the session"
      echo "$supi $(date +%s) $upf" > "$RECORD"
      echo "$sessions" | while read -r cmd; do [ -z "$cmd" ] || nr-cli "$supi" -e "$cmd" >/dev/null; done
      opened=$upf
      next_try=$(($(date +%s) + 10))
    fi
  elif [ -n "$opened" ]; then
    log "the mark is gone (UPF $opened no longer serves this UE): releasing the session"
    rm -f "$RECORD"
    nr-cli "$supi" -e ps-release-all >/dev/null
    opened=""
    next_try=0
  fi
  sleep 1 & wait $!
done
wait $ue
SH
}

manifest() { # name imsi sst dnn
  local name=$1 imsi=$2 sst=$3 dnn=$4
  cat <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: $name-config
  namespace: $NAMESPACE
  labels: {$TOOL_LABEL_YAML, nexslice.io/imsi: "$imsi", nexslice.io/slice: "$sst"}
data:
  ue.yaml: |
$(ue_yaml "$imsi" "$sst" "$dnn" | sed 's/^/    /')
  ue-session.sh: |
$(ue_session_sh | sed 's/^/    /')
---
apiVersion: v1
kind: Pod
metadata:
  name: $name
  namespace: $NAMESPACE
  labels:
    app.kubernetes.io/name: ueransim-ue
    app.kubernetes.io/component: ues
    ${TOOL_LABEL/=/: }
    nexslice.io/imsi: "$imsi"
    nexslice.io/slice: "$sst"
    $OPT_IN_LABEL: "true"
  annotations:
    # The slice the controller gives the UE's UPF (ue.yaml has no session for it to read).
    nexslice.io/sst: "$sst"
    nexslice.io/sd: "FFFFFF"
    nexslice.io/dnn: "$dnn"
$([[ -n ${STATIC_IP:-} ]] && printf '    nexslice.io/ue-ip: "%s"\n' "$STATIC_IP")
spec:
  terminationGracePeriodSeconds: 5
  containers:
    - name: ue
      image: $IMAGE
      imagePullPolicy: $PULL_POLICY
      # nr-ue, with the session opened only once the controller marks the pod (ue-session.sh).
      command: ["/bin/sh", "/etc/ueransim/ue-session.sh"]
$(sim_env)
      securityContext:
        privileged: true          # UERANSIM creates the uesimtun0 TUN device
        capabilities: {add: ["NET_ADMIN"]}
      volumeMounts:
        - {name: config, mountPath: /etc/ueransim}
        - {name: upf-mark, mountPath: /etc/nexslice}
      # Ready means registered with the core; the session comes later, with the controller's mark.
      readinessProbe:
        exec: {command: ["/bin/sh", "-c", "nr-cli imsi-$imsi -e status | grep -q 'rm-state: RM-REGISTERED'"]}
        periodSeconds: 2
  volumes:
    - name: config
      configMap: {name: $name-config}
    # The pod's own annotations, kept current by the kubelet: ue-session.sh reads the mark here.
    - name: upf-mark
      downwardAPI:
        items: [{path: annotations, fieldRef: {fieldPath: metadata.annotations}}]
YAML
}
TOOL_LABEL_YAML=${TOOL_LABEL/=/: }

sim_env() { # the UE simulator's knobs, only when the caller set them
  local v out=""
  for v in UE_SIM_REGISTER_DELAY_SECONDS UE_SIM_ATTACH_DELAY_SECONDS UE_SIM_DETACH_DELAY_SECONDS; do
    [[ -n ${!v:-} ]] || continue
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number of seconds, not '${!v}'"
    out+="        - {name: $v, value: \"${!v}\"}"$'\n'
  done
  # The simulator stands in for the core too: the subscriber's static address is its to give.
  if [[ -n ${STATIC_IP:-} && $IMAGE == localhost/nexslice-* ]]; then
    out+="        - {name: UE_SIM_STATIC_ADDRESS, value: \"$STATIC_IP\"}"$'\n'
  fi
  [[ -n $out ]] && printf '      env:\n%s' "$out"
  return 0
}

cmd_add() {
  local count=1 slice=1
  STATIC_IP=
  while (($#)); do
    case $1 in
      --count) count=$2; shift 2 ;;
      --static-ip) STATIC_IP=$2; shift 2 ;;
      --slice) slice=$2; shift 2 ;;
      --namespace) NAMESPACE=$2; shift 2 ;;
      --image) IMAGE=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ $count =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive number, not '$count'"
  if [[ -n $STATIC_IP ]]; then
    [[ $STATIC_IP =~ ^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$ ]] ||
      die "--static-ip must be an IPv4 address such as 12.2.0.7, not '$STATIC_IP'"
    ((count == 1)) || die "--static-ip gives one UE its address: use it with --count 1"
  fi
  sim_env >/dev/null   # validates the simulator's knobs here, where die stops the script
  if [[ -z $PULL_POLICY ]]; then
    if [[ $IMAGE == localhost/nexslice-* ]]; then PULL_POLICY=Never; else PULL_POLICY=IfNotPresent; fi
  fi
  local dnn; dnn=$(slice_dnn "$slice")
  require_namespace
  local held; held=$(held_imsis | sort -u)
  local imsi=$IMSI_FIRST made=0
  while ((made < count)); do
    if ((imsi > IMSI_LAST)); then
      die "IMSI range $IMSI_FIRST..$IMSI_LAST used up: $made of $count UEs made; remove UEs first (scripts/ue.sh remove)"
    fi
    if grep -qx "$imsi" <<<"$held"; then imsi=$((imsi + 1)); continue; fi
    local name="ue-$imsi"
    # 'create', not 'apply': a UE made meanwhile by someone else fails here instead of being overwritten.
    if out=$(manifest "$name" "$imsi" "$slice" "$dnn" | k create -f - 2>&1); then
      echo "created $NAMESPACE/$name (imsi $imsi, slice $slice, dnn $dnn${STATIC_IP:+, static address $STATIC_IP})"
      if [[ -n $STATIC_IP && $IMAGE != localhost/nexslice-* ]]; then
        echo "note: give subscriber imsi-$imsi the static address $STATIC_IP in the core (free5GC webconsole: its DNN's static IPv4)"
      fi
      made=$((made + 1))
    elif grep -q AlreadyExists <<<"$out"; then
      : # taken meanwhile: next IMSI
    else
      echo "$out" >&2; die "could not create $name"
    fi
    imsi=$((imsi + 1))
  done
}

cmd_manifest() { # what add creates for one UE, to stdout; touches no cluster
  local slice=1 imsi=$IMSI_FIRST
  STATIC_IP=
  while (($#)); do
    case $1 in
      --imsi) imsi=$2; shift 2 ;;
      --slice) slice=$2; shift 2 ;;
      --namespace) NAMESPACE=$2; shift 2 ;;
      --image) IMAGE=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ $imsi =~ ^[0-9]{15}$ ]] || die "--imsi must be 15 digits, not '$imsi'"
  if [[ -z $PULL_POLICY ]]; then
    if [[ $IMAGE == localhost/nexslice-* ]]; then PULL_POLICY=Never; else PULL_POLICY=IfNotPresent; fi
  fi
  manifest "ue-$imsi" "$imsi" "$slice" "$(slice_dnn "$slice")"
}

cmd_remove() {
  local names=() all=0
  while (($#)); do
    case $1 in
      --all) all=1; shift ;;
      --namespace) NAMESPACE=$2; shift 2 ;;
      -*) usage ;;
      *) names+=("$1"); shift ;;
    esac
  done
  require_namespace
  if ((all)); then
    k -n "$NAMESPACE" delete pods,configmaps -l "$TOOL_LABEL" --wait=false
    return
  fi
  ((${#names[@]})) || usage
  for n in "${names[@]}"; do
    require_pod "$n"
    k -n "$NAMESPACE" delete pod "$n" --wait=false
    k -n "$NAMESPACE" delete configmap "$n-config" --ignore-not-found --wait=false
  done
}

cmd_list() {
  while (($#)); do
    case $1 in --namespace) NAMESPACE=$2; shift 2 ;; *) usage ;; esac
  done
  require_namespace
  # UPF Deployments of the controller, by the UE pods they list as owners (both modes).
  declare -A upf_of=() state_of=()
  while read -r upf ready want owners; do
    [[ -n ${upf:-} ]] || continue
    for o in ${owners//,/ }; do upf_of[$o]=$upf; state_of[$o]="${ready:-0}/${want}"; done
  done < <(k -n "$NAMESPACE" get deployments -l app.kubernetes.io/managed-by=dynamic-slicing -o \
    jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.readyReplicas}{" "}{.spec.replicas}{" "}{range .metadata.ownerReferences[*]}{.name}{","}{end}{"\n"}{end}' |
    awk '{ if (NF == 3) { print $1, 0, $2, $3 } else { print } }')
  declare -A has_svc=()
  while read -r s; do [[ -n $s ]] && has_svc[$s]=1; done < <(k -n "$NAMESPACE" get services \
    -l app.kubernetes.io/managed-by=dynamic-slicing -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
  # MARKED: the controller's mark (nexslice.io/upf-ready): the UE may open its sessions.
  printf '%-28s %-6s %-16s %-6s %-28s %-8s %-28s %s\n' UE SLICE IMSI READY UPF UPF-PODS SERVICE MARKED
  k -n "$NAMESPACE" get pods -l "$OPT_IN_LABEL" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.labels.nexslice\.io/slice}{"_ "}{.metadata.labels.nexslice\.io/imsi}{"_ "}{.status.conditions[?(@.type=="Ready")].status}{"_ "}{.metadata.annotations.nexslice\.io/upf-ready}{"_\n"}{end}' |
  while read -r pod slice imsi ready marked; do
    slice=${slice%_} imsi=${imsi%_} ready=${ready%_} marked=${marked%_}
    local upf=${upf_of[$pod]:-}
    printf '%-28s %-6s %-16s %-6s %-28s %-8s %-28s %s\n' "$pod" "${slice:--}" "${imsi:--}" "${ready:-False}" \
      "${upf:-none}" "${state_of[$pod]:--}" "$([[ -n $upf && -n ${has_svc[$upf]:-} ]] && echo "$upf" || echo -)" \
      "$([[ $marked == true ]] && echo yes || echo no)"
  done
}

cmd_label() { # optin|optout pod
  local mode=$1; shift
  local pod=""
  while (($#)); do
    case $1 in --namespace) NAMESPACE=$2; shift 2 ;; -*) usage ;; *) pod=$1; shift ;; esac
  done
  [[ -n $pod ]] || usage
  require_namespace
  require_pod "$pod"
  if [[ $mode == optin ]]; then
    k -n "$NAMESPACE" label pod "$pod" "$OPT_IN_LABEL=true" --overwrite
    # A UE that runs already has likely opened its session on whatever UPF the SMF had: no SMF
    # moves a live session to a UPF that appears later.
    local imsi with=()
    for imsi in $(ue_imsis "$pod"); do
      [[ -n $(sessions_of "$pod" "$imsi") ]] && with+=("$imsi")
    done
    if ((${#with[@]})); then
      echo "note: $pod already has a PDU session (${with[*]}), opened before its UPF existed, so it does not go"
      echo "      through that UPF. Once the UPF is ready, re-open it: scripts/ue.sh rebind $pod --namespace $NAMESPACE"
    fi
  else
    k -n "$NAMESPACE" label pod "$pod" "$OPT_IN_LABEL-"
  fi
}

# ---- sessions, through kubectl exec into the UE container (nr-cli, as UERANSIM ships it)

uexec() { # pod, command...: runs in the UE's container; empty output when it cannot
  timeout 30 "$KUBECTL" -n "$NAMESPACE" exec "$1" -- "${@:2}" 2>/dev/null
}

ue_imsis() { # pod -> the UE nodes nr-ue runs in it (a NexSlice chart pod may hold several)
  uexec "$1" nr-cli --dump | grep -o '^imsi-[0-9]*' || true
}

# pod imsi -> one line per active session: "<psi> <address> <apn> <sst> <sd>" (sst decimal,
# sd as the UE printed it or "none"). Parses nr-cli's ps-list YAML.
sessions_of() {
  local psi addr apn sst sd
  uexec "$1" nr-cli "$2" -e ps-list | awk '
    /^PDU Session[0-9]+:/ { if (psi != "") print psi, addr, apn, sst, sd; psi = $2; sub(/^Session/, "", psi); sub(/:$/, "", psi); addr = "-"; apn = "-"; sst = "-"; sd = "none"; next }
    /^ *apn:/ { apn = $2 } /^ *address:/ { addr = $2 } /^ *sst:/ { sst = $2 }
    /^ *sd:/ { sd = ($2 == "null") ? "none" : $2 }
    END { if (psi != "") print psi, addr, apn, sst, sd }' |
  while read -r psi addr apn sst sd; do
    [[ $sst =~ ^(0x[0-9a-fA-F]+|[0-9]+)$ ]] && sst=$((sst)) # UERANSIM prints sst as 0x01
    echo "$psi $addr $apn $sst $sd"
  done
}

mark_of() { # pod -> "<upf> <ready>" from the controller's annotations ("- -" when unmarked)
  local upf ready
  IFS='|' read -r upf ready < <(k -n "$NAMESPACE" get pod "$1" \
    -o jsonpath='{.metadata.annotations.nexslice\.io/upf}{"|"}{.metadata.annotations.nexslice\.io/upf-ready}{"\n"}')
  echo "${upf:--} ${ready:--}"
}

# pod -> unix time of the controller's last server-side apply on the pod, that is when it set the
# mark (it applies nothing else on pods); empty when it never did.
mark_time() {
  local t fields='{range .metadata.managedFields[*]}{.manager}{" "}{.operation}{" "}{.time}{"\n"}{end}'
  # kubectl 1.21+ hides managedFields unless asked; older ones do not know the flag.
  t=$({ k -n "$NAMESPACE" get pod "$1" --show-managed-fields -o jsonpath="$fields" 2>/dev/null ||
        k -n "$NAMESPACE" get pod "$1" -o jsonpath="$fields"; } |
    awk -v m="$CONTROLLER_MANAGER" '$1 == m && $2 == "Apply" { print $3 }' | tail -1)
  [[ -n $t ]] && date -u -d "$t" +%s
}

record_of() { # pod imsi -> "<unix time> <upf>" of the session opened after the mark, if recorded
  uexec "$1" cat "$SESSION_RECORD" | awk -v i="$2" '$1 == i { print $2, $3 }' | tail -1
}

selected_pods() { # args: <pod>... | --all | nothing (= --all) -> pod names
  if (($# == 0)) || [[ $1 == --all ]]; then
    k -n "$NAMESPACE" get pods -l "$OPT_IN_LABEL" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
  else
    local p; for p in "$@"; do require_pod "$p"; echo "$p"; done
  fi
}

parse_pods() { # sets PODS from: <pod>... | --all, --namespace NS
  PODS=()
  local args=()
  while (($#)); do
    case $1 in
      --namespace) NAMESPACE=$2; shift 2 ;;
      --all) args=(--all); shift ;;
      -*) usage ;;
      *) args+=("$1"); shift ;;
    esac
  done
  require_namespace
  mapfile -t PODS < <(selected_pods "${args[@]}")
}

cmd_rebind() {
  parse_pods "$@"
  ((${#PODS[@]})) || die "no UE pods to rebind (label $OPT_IN_LABEL) in namespace '$NAMESPACE'"
  local pod failed=()
  for pod in "${PODS[@]}"; do
    local deadline=$(($(date +%s) + REBIND_TIMEOUT)) upf ready
    while read -r upf ready < <(mark_of "$pod"); [[ $ready != true ]]; do
      if (($(date +%s) > deadline)); then
        echo "$pod: no ready UPF after ${REBIND_TIMEOUT}s (no nexslice.io/upf-ready mark): not rebound" >&2
        failed+=("$pod"); continue 2
      fi
      sleep 1
    done
    local imsis; imsis=$(ue_imsis "$pod")
    [[ -n $imsis ]] || { echo "$pod: nr-cli --dump found no UE in the pod (is it a UERANSIM UE?)" >&2; failed+=("$pod"); continue; }
    local imsi
    for imsi in $imsis; do
      local before; before=$(sessions_of "$pod" "$imsi")
      if [[ -z $before ]]; then echo "$pod $imsi: no session to rebind"; continue; fi
      uexec "$pod" nr-cli "$imsi" -e ps-release-all >/dev/null
      local i
      for i in $(seq 20); do [[ -z $(sessions_of "$pod" "$imsi") ]] && break; sleep 0.5; done
      # The record first: the sessions below are opened after the mark, and verify checks that.
      uexec "$pod" sh -c "grep -v '^$imsi ' $SESSION_RECORD > $SESSION_RECORD.new 2>/dev/null; echo '$imsi '\$(date +%s)' $upf' >> $SESSION_RECORD.new; mv $SESSION_RECORD.new $SESSION_RECORD" ||
        { echo "$pod: cannot write $SESSION_RECORD in the UE container" >&2; failed+=("$pod"); continue 2; }
      local psi addr apn sst sd
      while read -r psi addr apn sst sd; do
        local cmd="ps-establish IPv4 --sst $sst"
        [[ $sd != none ]] && cmd+=" --sd $sd"
        [[ $apn != - ]] && cmd+=" --dnn $apn"
        uexec "$pod" nr-cli "$imsi" -e "$cmd" >/dev/null || true
      done <<<"$before"
      local after=""
      for i in $(seq 30); do
        after=$(sessions_of "$pod" "$imsi")
        (($(grep -c . <<<"$after") >= $(grep -c . <<<"$before"))) && break
        sleep 0.5
      done
      if [[ -z $after ]]; then
        echo "$pod $imsi: released, but no session came back (nr-cli $imsi -e ps-list is empty)" >&2
        failed+=("$pod"); continue 2
      fi
      while read -r psi addr apn sst sd; do
        echo "$pod $imsi: session $psi re-opened after UPF $upf was ready: $addr, sst $sst sd $sd, dnn $apn"
      done <<<"$after"
    done
  done
  ((${#failed[@]} == 0)) || die "not rebound: ${failed[*]}"
}

in_cidr() { # address cidr -> true when address is inside the IPv4 cidr
  local a=$1 net=${2%/*} bits=${2#*/}
  [[ $a =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ && $bits =~ ^[0-9]+$ ]] || return 1
  local IFS=.
  # shellcheck disable=SC2086
  set -- $a $net
  local x=$(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 )) n=$(( ($5 << 24) + ($6 << 16) + ($7 << 8) + $8 ))
  local mask=$(( bits == 0 ? 0 : (0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF ))
  (( (x & mask) == (n & mask) ))
}

slice_subnet() { # dnn -> the SMF pool UE_SLICE_SUBNETS gives it
  tr ',' '\n' <<<"$SLICE_SUBNETS" | awk -F= -v d="$1" '$1 == d { print $2 }'
}

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

cmd_verify() {
  parse_pods "$@"
  ((${#PODS[@]})) || die "no UE pods (label $OPT_IN_LABEL) in namespace '$NAMESPACE'"
  local pod failed=() ok=0
  for pod in "${PODS[@]}"; do
    local upf ready problems=()
    read -r upf ready < <(mark_of "$pod")
    echo "UE $pod"
    local marked="" pool="-" upf_state="none"
    if [[ $upf == - ]]; then
      problems+=("no UPF marked ready (no nexslice.io/upf mark)")
      echo "  UPF        none marked"
    else
      local want have
      IFS='|' read -r want have pool < <(k -n "$NAMESPACE" get deployment "$upf" 2>/dev/null \
        -o jsonpath='{.spec.replicas}{"|"}{.status.readyReplicas}{"|"}{.metadata.annotations.nexslice\.io/ue-pool}{"\n"}' || echo)
      pool=${pool:--}
      marked=$(mark_time "$pod" || true)
      if [[ -z $want ]]; then
        upf_state="missing"; problems+=("its UPF $upf does not exist")
      elif ((${have:-0} < 1)); then
        upf_state="not Ready (${have:-0}/$want pods)"; problems+=("its UPF $upf has no Ready pod")
      else
        upf_state="Ready (${have}/$want pods)"
      fi
      [[ $ready == true ]] || problems+=("the mark says nexslice.io/upf-ready=$ready")
      echo "  UPF        $upf: $upf_state, UE pool $pool, marked ready $([[ -n $marked ]] && iso "$marked" || echo "(time unknown)")"
    fi
    local static_ip; static_ip=$(k -n "$NAMESPACE" get pod "$pod" -o jsonpath='{.metadata.annotations.nexslice\.io/ue-ip}' 2>/dev/null || true)
    if [[ -n $static_ip ]]; then echo "  binding    static address $static_ip (nexslice.io/ue-ip)"; fi
    local imsis; imsis=$(ue_imsis "$pod")
    if [[ -z $imsis ]]; then
      problems+=("nr-cli --dump found no UE in the pod")
    fi
    local imsi
    for imsi in $imsis; do
      local sessions; sessions=$(sessions_of "$pod" "$imsi")
      if [[ -z $sessions ]]; then
        echo "  $imsi: no PDU session"
        problems+=("$imsi has no PDU session"); continue
      fi
      local opened opened_upf
      read -r opened opened_upf < <(record_of "$pod" "$imsi"; echo) || true
      local psi addr apn sst sd
      while read -r psi addr apn sst sd; do
        local when where subnet
        if [[ -z $opened ]]; then
          when="before its UPF was ready (no record of it being opened after the mark: run scripts/ue.sh rebind $pod)"
          problems+=("$imsi session $psi was opened before its UPF was ready")
        elif [[ -n $marked && $opened -lt $marked ]]; then
          when="$(iso "$opened"), BEFORE the mark ($(iso "$marked"))"
          problems+=("$imsi session $psi was opened before its UPF was ready")
        elif [[ $opened_upf != "$upf" ]]; then
          when="$(iso "$opened") for UPF $opened_upf, not the one marked now ($upf)"
          problems+=("$imsi session $psi was opened for another UPF ($opened_upf)")
        else
          when="$(iso "$opened"), after the mark"
        fi
        subnet=$(slice_subnet "$apn")
        if [[ -n $static_ip ]]; then
          # free5GC with a static address: the session must carry it, and only its UPF's pool holds it.
          if [[ $addr != "$static_ip" ]]; then
            where="NOT its static address $static_ip (nexslice.io/ue-ip): the core gave another one"
            problems+=("$imsi session $psi has address $addr, not its static address $static_ip")
          elif [[ $pool != - ]] && in_cidr "$addr" "$pool"; then
            where="its static address, the whole pool ($pool) of UPF $upf: free5GC can serve it by no other UPF"
          else
            where="its static address, but outside its UPF's pool ($pool)"
            problems+=("$imsi session $psi address $addr is not in its UPF's pool $pool")
          fi
        elif [[ $pool != - && $pool == "$subnet" ]] && in_cidr "$addr" "$pool"; then
          where="in $subnet, the SMF pool of dnn $apn, which every UPF of the slice routes (OAI: the SMF takes the first associated UPF of the slice; per-UE mode gives separate UPFs, not a binding)"
        elif [[ $pool != - ]] && in_cidr "$addr" "$pool"; then
          where="in $pool, the UE pool of UPF $upf"
        elif [[ -n $subnet ]] && in_cidr "$addr" "$subnet"; then
          where="in $subnet, the SMF pool of dnn $apn (an OAI SMF assigns from its own pool: the address cannot name the UPF)"
        else
          where="in neither its UPF's pool ($pool) nor the SMF pool of dnn $apn (${subnet:-none known})"
          problems+=("$imsi session $psi address $addr is outside the pools its UPF or slice serves")
        fi
        echo "  session $psi  $imsi, address $addr, sst $sst sd $sd, dnn $apn"
        echo "    opened   $when"
        echo "    address  $where"
      done <<<"$sessions"
    done
    if ((${#problems[@]})); then
      echo "  FAILED: $(IFS=';'; echo "${problems[*]}" | sed 's/;/; /g')"
      failed+=("$pod")
    else
      echo "  OK: its sessions were opened after UPF $upf was ready"
      ok=$((ok + 1))
    fi
  done
  if ((${#failed[@]})); then
    echo "verify: $ok of ${#PODS[@]} UE(s) OK; FAILED: ${failed[*]}"
    exit 1
  fi
  echo "verify: ${#PODS[@]} UE(s) OK"
}

sub=${1:-}; shift || true
case $sub in
  add) cmd_add "$@" ;;
  remove) cmd_remove "$@" ;;
  list) cmd_list "$@" ;;
  optin|optout) cmd_label "$sub" "$@" ;;
  rebind) cmd_rebind "$@" ;;
  verify) cmd_verify "$@" ;;
  manifest) cmd_manifest "$@" ;;
  *) usage ;;
esac
