# nexslice-ue-simulator's shared code, sourced by nr-ue, nr-cli and ue-sim (busybox sh).
#
# A SIMULATOR of UERANSIM's UE for dynamic-slicing's local cluster, not UERANSIM: it speaks no
# NAS, RRC or NGAP, reaches no AMF and no SMF and carries no traffic. "Registered" is a file in
# the state directory; a "PDU session" is a state file plus an interface uesimtun<PSI-1> holding
# an address made up from UE_SIM_SESSION_SUBNETS, the pools NexSlice's OAI SMF hands out (in OAI
# the SMF, not the UPF, assigns the UE address). Real clusters run the real UERANSIM image.
#
# State: ${UE_SIM_STATE_DIR:-/tmp/ue-sim}, written by nr-ue and changed by nr-cli / ue-sim,
# which run as other processes (kubectl exec), under the lock $STATE/lock:
#   ue              pid=, supi=, mcc=, mnc=, config= of the running nr-ue
#   registered      exists while the UE is RM-REGISTERED
#   was-registered  exists once the UE has been registered (5U1-UPDATED, last TAI)
#   sessions/<PSI>  one file per active PDU session (psi=, if=, apn=, dnn=, sst=, sd=, address=)

UE_SIM_TAG="[nexslice-ue-simulator]"
STATE=${UE_SIM_STATE_DIR:-/tmp/ue-sim}
SUBNETS=${UE_SIM_SESSION_SUBNETS:-oai=12.1.1.0/24,oai2=12.1.2.0/24,oai3=12.1.3.0/24}
MAX_PSI=15          # PDU session IDs 1..15, as in UERANSIM
UE_PID= SUPI= MCC= MNC= CONFIG=

say() { echo "$UE_SIM_TAG $*"; }        # to this process's own stdout
err() { echo "$UE_SIM_TAG ERROR: $*" >&2; }

# clog WORDS...: one line for the UE's log: nr-ue's stdout, which is the container's log (PID 1's
# stdout, whether PID 1 is nr-ue or a sh wrapper that started it: nr-ue inherits it). nr-ue
# writes to its stdout; so does a process whose stdout already is that file; any other (nr-cli,
# ue-sim through kubectl exec, or run with >/dev/null) writes to /proc/<nr-ue>/fd/1 only, and to
# its own stdout only when that cannot be opened. Never both. Not /proc/1/fd/1: a sh wrapper as
# PID 1 that runs "nr-cli ... >/dev/null" redirects its own fd 1 while the command runs (ash
# does), and the line would be lost. nr-ue redirects its fd 1 only holding the state lock, and
# callers hold the lock. (A pipe under containerd; a regular file there must be O_APPEND.)
clog() {
  _line="$UE_SIM_TAG $*"
  if [ -n "$UE_PID" ] && [ "$UE_PID" != "$$" ]; then
    _ue=$(readlink "/proc/$UE_PID/fd/1" 2>/dev/null) || _ue=
    _mine=$(readlink "/proc/$$/fd/1" 2>/dev/null) || _mine=
    if [ -n "$_ue" ] && [ "$_ue" != "$_mine" ] &&
       { printf '%s\n' "$_line" >>"/proc/$UE_PID/fd/1"; } 2>/dev/null; then
      return 0
    fi
  fi
  printf '%s\n' "$_line"
}

# to_num VALUE: a decimal or 0x-hex number printed in decimal; fails on anything else.
to_num() {
  case $1 in
    0[xX]*)
      _h=${1#0[xX]}
      case $_h in ''|*[!0-9a-fA-F]*) return 1 ;; esac
      [ ${#_h} -le 8 ] || return 1
      echo $((0x$_h)) ;;
    *)
      case $1 in ''|*[!0-9]*) return 1 ;; esac
      _d=$(echo "$1" | sed 's/^0*//')
      [ ${#_d} -le 9 ] || return 1
      echo $((${_d:-0})) ;;
  esac
}

# A DNN as the simulator accepts it: letters, digits, '.', '-', '_' (APN labels).
valid_dnn() { case $1 in ''|*[!A-Za-z0-9._-]*) return 1 ;; esac; return 0; }

# yaml_scalar FILE KEY: a top-level scalar of a ue.yaml, quotes stripped.
yaml_scalar() {
  sed -n "s/^$2:[[:space:]]*['\"]\{0,1\}\([^'\"#[:space:]]*\).*/\1/p" "$1" | head -n 1
}

# yaml_list FILE KEY: the entries of the block list KEY (sessions, configured-nssai, ...), one
# line each: "<type> <dnn> <sst> <sd>", '-' for a field the entry does not have (dnn is apn: or
# dnn:). Handles UERANSIM's shapes: "  - type: 'IPv4'" / "    apn: 'oai'" /
# "    slice: {sst: 1, sd: 0xffffff}", a block "slice:" map, and "  - {sst: 1, sd: 0xffffff}".
# "KEY: []" gives nothing.
yaml_list() {
  awk -v key="$2" '
    function field(line, k,    s) {
      if (!match(line, "(^|[ \t{,])" k ":[ \t]*[^ \t,}#]+")) return ""
      s = substr(line, RSTART, RLENGTH); sub(/^[^:]*:[ \t]*/, "", s); gsub(/["\047]/, "", s)
      return s
    }
    function flush() {
      if (inentry) print (type == "" ? "-" : type), (dnn == "" ? "-" : dnn), (sst == "" ? "-" : sst), (sd == "" ? "-" : sd)
      inentry = 0; type = dnn = sst = sd = ""
    }
    $0 ~ "^" key ":" { insec = 1; next }
    insec && /^[^ \t#-]/ { flush(); insec = 0 }
    !insec || /^[ \t]*#/ { next }
    /^[ \t]*-/ { flush(); inentry = 1; sub(/-/, " ") }
    inentry {
      v = field($0, "type"); if (v != "") type = v
      v = field($0, "apn");  if (v != "") dnn = v
      v = field($0, "dnn");  if (v != "") dnn = v
      v = field($0, "sst");  if (v != "") sst = v
      v = field($0, "sd");   if (v != "") sd = v
    }
    END { flush() }
  ' "$1"
}

# ue_load: read the running nr-ue's identity from the state (UE_PID, SUPI, MCC, MNC, CONFIG);
# fails when there is no state or its nr-ue is gone.
ue_load() {
  [ -f "$STATE/ue" ] || return 1
  UE_PID= SUPI= MCC= MNC= CONFIG=
  while IFS='=' read -r _k _v; do
    case $_k in
      pid) UE_PID=$_v ;; supi) SUPI=$_v ;; mcc) MCC=$_v ;; mnc) MNC=$_v ;; config) CONFIG=$_v ;;
    esac
  done <"$STATE/ue"
  [ -n "$UE_PID" ] && [ -r "/proc/$UE_PID/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$UE_PID/cmdline" | grep -q 'nr-ue' || return 1
}

# lock / unlock: the state's mutex (busybox has no flock): a symlink $STATE/lock -> <holder pid>,
# made atomically with its holder's pid. A lock whose holder died (killed mid-command) is
# removed by the next waiter, if it still names that holder. Fails after ~10 s or when the state
# directory is gone (nr-ue stopped).
lock() {
  _n=0
  while ! ln -s "$$" "$STATE/lock" 2>/dev/null; do
    [ -d "$STATE" ] || return 1
    _holder=$(readlink "$STATE/lock" 2>/dev/null) || _holder=
    if [ -n "$_holder" ] && ! kill -0 "$_holder" 2>/dev/null &&
       [ "$(readlink "$STATE/lock" 2>/dev/null)" = "$_holder" ]; then
      rm -f "$STATE/lock"; continue
    fi
    _n=$((_n + 1))
    [ $_n -lt 100 ] || { err "the state lock $STATE/lock stays busy (held by pid ${_holder:-?})"; return 1; }
    sleep 0.1
  done
}
unlock() { [ "$(readlink "$STATE/lock" 2>/dev/null)" = "$$" ] && rm -f "$STATE/lock"; return 0; }

is_registered() { [ -e "$STATE/registered" ]; }

# The DNN a request without one gets: the first of UE_SIM_SESSION_SUBNETS (standing for the
# subscription's default DNN).
default_dnn() { echo "${SUBNETS%%,*}" | sed 's/=.*//; s/[[:space:]]//g'; }

# dnn_prefix DNN: sets PREFIX to the first three octets of the DNN's /24 in UE_SIM_SESSION_SUBNETS.
# Returns 1 when the DNN has no entry, 2 when its entry is not an IPv4 /24 (SUBNET holds it).
dnn_prefix() {
  PREFIX= SUBNET=
  _old_ifs=$IFS; IFS=,
  for _e in $SUBNETS; do
    _name=$(echo "${_e%%=*}" | sed 's/[[:space:]]//g')
    [ "$_name" = "$1" ] && { SUBNET=$(echo "${_e#*=}" | sed 's/[[:space:]]//g'); break; }
  done
  IFS=$_old_ifs
  [ -n "$SUBNET" ] || return 1
  case $SUBNET in */24) ;; *) return 2 ;; esac
  _o=${SUBNET%/24}
  _old_ifs=$IFS; IFS=.
  # shellcheck disable=SC2086
  set -- $_o
  IFS=$_old_ifs
  [ $# -eq 4 ] || return 2
  for _x in "$@"; do
    case $_x in ''|*[!0-9]*) return 2 ;; esac
    [ ${#_x} -le 3 ] && [ "$_x" -le 255 ] || return 2
  done
  PREFIX=$1.$2.$3
}

# The host part of a session's address: (last 3 digits of the IMSI) % 250 + 2, plus PSI-1,
# kept within 2..254.
host_part() { # psi
  _t=$(echo "${SUPI#imsi-}" | sed 's/.*\(...\)$/\1/')
  _t=$(to_num "$_t") || _t=0
  echo $(((_t % 250 + $1 - 1) % 253 + 2))
}

# ps_establish APN SST SD EMERGENCY: what the UE does on a PDU session establishment, with the
# network's answer made up here. APN, SST, SD: as requested, '' when not (SST and SD decimal).
# Call with the lock held. Returns 0 when the session is up; sets PSI.
ps_establish() {
  _apn=$1 _sst=$2 _sd=$3 _em=$4 PSI=
  if ! is_registered; then clog "PDU session establishment rejected: not registered"; return 1; fi
  if [ "$_em" = true ]; then
    clog "PDU session establishment rejected: emergency sessions not served (the simulator has none)"; return 1
  fi
  _dnn=${_apn:-$(default_dnn)}
  dnn_prefix "$_dnn"
  case $? in
    1) clog "PDU session establishment rejected: dnn $_dnn not served (UE_SIM_SESSION_SUBNETS)"; return 1 ;;
    2) clog "PDU session establishment rejected: dnn $_dnn: '$SUBNET' is not an IPv4 /24 (UE_SIM_SESSION_SUBNETS)"; return 1 ;;
  esac
  _psi=1
  while [ $_psi -le $MAX_PSI ] && [ -e "$STATE/sessions/$_psi" ]; do _psi=$((_psi + 1)); done
  if [ $_psi -gt $MAX_PSI ]; then
    clog "PDU session establishment rejected: no free PDU session ID ($MAX_PSI in use)"; return 1
  fi
  _if=uesimtun$((_psi - 1))
  _addr=$PREFIX.$(host_part $_psi)
  # UE_SIM_STATIC_ADDRESS stands for the subscriber's static address in the core's subscription
  # data (free5GC: staticIpAddress): a real SMF gives it to the UE's first session.
  [ -n "${UE_SIM_STATIC_ADDRESS:-}" ] && [ "$_psi" = 1 ] && _addr=$UE_SIM_STATIC_ADDRESS
  # Left by a session released behind our back or by an earlier container of this pod.
  [ -e "/sys/class/net/$_if" ] && ip link delete "$_if" 2>/dev/null
  # A TUN/TAP device as UERANSIM's (busybox tunctl can only make TAP ones), else an ifb link
  # (no /dev/net/tun; this kernel has no dummy links).
  if tunctl -t "$_if" >/dev/null 2>&1 || ip link add "$_if" type ifb 2>/dev/null; then
    if ! ip link set "$_if" up 2>/dev/null; then
      ip link delete "$_if" 2>/dev/null
      clog "PDU session establishment failed: could not bring $_if up (the pod needs NET_ADMIN)"; return 1
    fi
  else
    clog "PDU session establishment failed: could not create $_if (the pod needs NET_ADMIN)"; return 1
  fi
  ip addr add "$_addr/32" dev "$_if" 2>/dev/null || :
  _sdhex=
  [ -n "$_sd" ] && _sdhex=$(printf '0x%06x' "$_sd")
  mkdir -p "$STATE/sessions"
  printf 'psi=%s\nif=%s\napn=%s\ndnn=%s\nsst=%s\nsd=%s\nemergency=false\naddress=%s\n' \
    "$_psi" "$_if" "$_apn" "$_dnn" "$_sst" "$_sdhex" "$_addr" >"$STATE/sessions/$_psi.new" &&
    mv "$STATE/sessions/$_psi.new" "$STATE/sessions/$_psi"
  PSI=$_psi
  clog "PDU session established: PSI $_psi, $_if up, address $_addr, sst ${_sst:-none}, sd ${_sdhex:-none}, dnn $_dnn"
}

# session_load PSI: S_IF, S_APN, S_DNN, S_SST, S_SD, S_ADDR of an active session.
session_load() {
  [ -f "$STATE/sessions/$1" ] || return 1
  S_IF= S_APN= S_DNN= S_SST= S_SD= S_ADDR=
  while IFS='=' read -r _k _v; do
    case $_k in
      if) S_IF=$_v ;; apn) S_APN=$_v ;; dnn) S_DNN=$_v ;; sst) S_SST=$_v ;; sd) S_SD=$_v ;; address) S_ADDR=$_v ;;
    esac
  done <"$STATE/sessions/$1"
}

active_psis() {
  _p=1
  while [ $_p -le $MAX_PSI ]; do
    [ -f "$STATE/sessions/$_p" ] && echo $_p
    _p=$((_p + 1))
  done
}

# ps_release PSI: take the session's interface down and forget it. Call with the lock held.
ps_release() {
  if ! session_load "$1"; then clog "PDU session release ignored: PSI $1 not active"; return 1; fi
  ip link delete "$S_IF" 2>/dev/null
  rm -f "$STATE/sessions/$1"
  clog "PDU session released: PSI $1, $S_IF down"
}

ps_release_all() {
  for _r in $(active_psis); do ps_release "$_r"; done
}

# remove_leftover_interfaces WHY: delete the uesimtun* links no session owns (at start: an earlier
# container of the same pod left them, as the pod's network namespace outlives containers and
# tunctl's TAP devices are persistent).
remove_leftover_interfaces() {
  for _l in /sys/class/net/uesimtun*; do
    [ -e "$_l" ] || continue
    _l=${_l##*/}
    grep -qx "if=$_l" "$STATE"/sessions/* 2>/dev/null && continue
    ip link delete "$_l" 2>/dev/null && clog "removed $_l, $1"
  done
}

# ue_register: RM-REGISTERED, then the ue.yaml's sessions, as UERANSIM does after every initial
# registration. Call with the lock held.
ue_register() {
  if is_registered; then say "$SUPI is already registered"; return 0; fi
  : >"$STATE/registered"
  : >"$STATE/was-registered"
  clog "registered: $SUPI RM-REGISTERED"
  [ -f "$CONFIG" ] || return 0
  yaml_list "$CONFIG" sessions >"$STATE/initial-sessions" 2>/dev/null || return 0
  while read -r _ity _idnn _isst _isd; do
    [ "$_ity" = - ] && _ity=IPv4
    case $_ity in
      [Ii][Pp][Vv]4) ;;
      *) clog "PDU session establishment rejected: type $_ity not supported (IPv4 only)"; continue ;;
    esac
    [ "$_idnn" = - ] && _idnn=
    if [ -n "$_idnn" ] && ! valid_dnn "$_idnn"; then
      clog "PDU session establishment rejected: dnn '$_idnn' of $CONFIG is not a DNN"; continue
    fi
    if [ "$_isst" = - ]; then _isst=
    elif ! _isst=$(to_num "$_isst") || [ "$_isst" -lt 1 ] || [ "$_isst" -gt 255 ]; then
      clog "PDU session establishment rejected: invalid sst in $CONFIG"; continue
    fi
    if [ "$_isd" = - ] || [ -z "$_isst" ]; then _isd=
    elif ! _isd=$(to_num "$_isd") || [ "$_isd" -lt 1 ] || [ "$_isd" -gt 16777215 ]; then
      clog "PDU session establishment rejected: invalid sd in $CONFIG"; continue
    fi
    ps_establish "$_idnn" "$_isst" "$_isd" false
  done <"$STATE/initial-sessions"
  rm -f "$STATE/initial-sessions"
  return 0
}

# ue_deregister: sessions released locally, then RM-DEREGISTERED. Call with the lock held.
ue_deregister() {
  if ! is_registered; then clog "de-registration ignored: not registered"; return 1; fi
  ps_release_all
  rm -f "$STATE/registered"
  clog "deregistered: $SUPI"
}

# ue_status: what UERANSIM 3.2's "nr-cli <node> -e status" prints.
ue_status() {
  _plmn=$MCC/$MNC
  if is_registered; then
    printf '%s\n' "cm-state: CM-CONNECTED" "rm-state: RM-REGISTERED" "mm-state: MM-REGISTERED/NORMAL-SERVICE" \
      "5u-state: 5U1-UPDATED" "sim-inserted: true" "selected-plmn: $_plmn" "current-cell: 1" \
      "current-plmn: $_plmn" "current-tac: 1" "last-tai: $_plmn/1"
  else
    if [ -e "$STATE/was-registered" ]; then _u=5U1-UPDATED _tai=$_plmn/1; else _u=5U2-NOT-UPDATED _tai=null; fi
    printf '%s\n' "cm-state: CM-IDLE" "rm-state: RM-DEREGISTERED" "mm-state: MM-DEREGISTERED/PLMN-SEARCH" \
      "5u-state: $_u" "sim-inserted: true" "selected-plmn: null" "current-cell: null" \
      "current-plmn: null" "current-tac: null" "last-tai: $_tai"
  fi
  printf '%s\n' "stored-suci: no-identity" "stored-guti: null" "has-emergency: false"
}

# ps_list: what UERANSIM 3.2's "nr-cli <node> -e ps-list" prints; apn and s-nssai are what the
# establishment requested (null when it did not say), as in UERANSIM.
ps_list() {
  _any=0
  for _q in $(active_psis); do
    session_load "$_q" || continue
    _any=1
    echo "PDU Session$_q:"
    echo "  state: PS-ACTIVE"
    echo "  session-type: IPv4"
    echo "  apn: ${S_APN:-null}"
    if [ -n "$S_SST" ]; then
      echo "  s-nssai:"
      printf '    sst: 0x%02x\n' "$S_SST"
      echo "    sd: ${S_SD:-null}"
    else
      echo "  s-nssai: null"
    fi
    echo "  emergency: false"
    echo "  address: $S_ADDR"
    echo "  ambr: up[1000000Kb/s] down[1000000Kb/s]"
    echo "  data-pending: false"
  done
  [ $_any = 1 ] || echo "{}"
}
