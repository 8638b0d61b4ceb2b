#!/usr/bin/env bash
# Regenerates the strongSwan captures in this folder (run as root):
#   test/vectors/capture/make-capture.sh <name> <ike-proposal> [psk|ecdsa|rsa-pss|ed25519] [rekey|esp|esp-rekey] [esp-proposal]
#   e.g. make-capture.sh psk-aes256gcm16-prfsha384-ecp384 aes256gcm16-prfsha384-ecp384
# With a key type instead of psk, each side gets a fresh key pair (openssl
# genpkey) and authenticates with RFC 7427 signatures over raw public keys;
# the public keys go into the JSON so the signatures can be verified.
# With `rekey`, the initiator then rekeys the IKE SA (CREATE_CHILD_SA,
# RFC 7296 §2.18) and the new SA's keys are logged and stored too.
# With `esp`, IPsec runs in charon's userspace (kernel-libipsec plugin, a TUN
# device per namespace, UDP-encapsulated ESP), so the CHILD SA is installed
# and a probe datagram is sent through it each way; the ESP packets are
# stored, to be decrypted with the CHILD SA KEYMAT (RFC 7296 §2.17).
# `esp-rekey` also rekeys the CHILD SA with a fresh KE (PFS, esp proposal
# <esp-proposal>-<group of the IKE proposal>) and sends the probes again.
# <esp-proposal> defaults to aes128gcm16.
# Two charon daemons run in two network namespaces joined by a veth pair
# (192.0.2.1 <-> 192.0.2.2, documentation prefix), authenticate with a PSK,
# and log every derived key (ike 4 / enc 4). tcpdump records the UDP
# datagrams. extract-capture.ts then turns the pcap and the logs into
# <name>.json. The CHILD SA cannot be installed on a kernel without ESP;
# IKE_SA_INIT and IKE_AUTH are exchanged regardless, which is all we need.
# Namespaces, daemons and temporary files are removed on exit.
set -euo pipefail

name=${1:?name}
proposal=${2:?ike proposal}
authmode=${3:-psk}
extra=${4:-}
esp_proposal=${5:-aes128gcm16}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/nodeswan-capture.XXXXXX)
left=nswcap-left-$$
right=nswcap-right-$$
psk='nodeswan capture secret, not used anywhere else'
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$left" 2>/dev/null || true
  ip netns del "$right" 2>/dev/null || true
  # KEEP_WORK=dir keeps the raw logs and pcap for inspection.
  if [ -n "${KEEP_WORK:-}" ]; then rm -rf "$KEEP_WORK"; cp -r "$work" "$KEEP_WORK"; fi
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$left"
ip netns add "$right"
ip link add veth-l netns "$left" type veth peer name veth-r netns "$right"
ip -n "$left" addr add 192.0.2.1/24 dev veth-l
ip -n "$right" addr add 192.0.2.2/24 dev veth-r
for ns in "$left" "$right"; do
  ip -n "$ns" link set lo up
done
ip -n "$left" link set veth-l up
ip -n "$right" link set veth-r up
# Inside addresses within the CHILD SA's traffic selectors (on lo: this
# kernel has no dummy interfaces).
ip -n "$left" addr add 198.51.100.1/32 dev lo
ip -n "$right" addr add 203.0.113.1/32 dev lo

genkey() { # out-prefix
  case $authmode in
    ecdsa) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" ;;
    rsa-pss) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" ;;
    ed25519) openssl genpkey -algorithm ED25519 -out "$1.key" ;;
    *) echo "unknown auth mode $authmode" >&2; exit 2 ;;
  esac 2>/dev/null
  openssl pkey -in "$1.key" -pubout -out "$1.pub"
}

setup_side() { # side local-addr remote-addr local-id remote-id local-ts remote-ts peer-side
  local side=$1 dir=$work/$1
  mkdir -p "$dir"/{x509,x509ca,private,rsa,ecdsa,pkcs8,pkcs12,pubkey,x509aa,x509ac,x509crl,x509ocsp}
  local local_auth=psk remote_auth=psk local_keys='' remote_keys='' rsa_pss=no
  local plugins='kernel-netlink' install_routes=no encap=no
  local esp_proposals=$esp_proposal
  case $extra in
    esp) plugins='kernel-libipsec kernel-netlink'; install_routes=yes; encap=yes ;;
    esp-rekey) plugins='kernel-libipsec kernel-netlink'; install_routes=yes; encap=yes
      esp_proposals=$esp_proposal-${proposal##*-} ;;
  esac
  [ "$authmode" = rsa-pss ] && rsa_pss=yes
  if [ "$authmode" != psk ]; then
    local_auth=pubkey
    [ "$authmode" = rsa-pss ] && local_auth=rsa/pss
    remote_auth=pubkey
    cp "$work/keys/$side.key" "$dir/pkcs8/$side.key"
    cp "$work/keys/$side.pub" "$dir/pubkey/$side.pub"
    cp "$work/keys/$8.pub" "$dir/pubkey/$8.pub"
    local_keys="
            pubkeys = $side.pub"
    remote_keys="
             pubkeys = $8.pub"
  fi
  cat >"$dir/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl kdf pem pkcs1 pkcs8 x509 pubkey $plugins socket-default vici updown
  install_routes = $install_routes
  retransmit_tries = 2
  rsa_pss = $rsa_pss
  plugins {
    vici { socket = unix://$dir/charon.vici }
  }
  filelog {
    main {
      path = $dir/charon.log
      default = 1
      ike = 4
      enc = 4
      net = 4
      cfg = 2
      chd = 4
    }
  }
}
CONF
  cat >"$dir/swanctl.conf" <<CONF
connections {
  capture {
    version = 2
    local_addrs = $2
    remote_addrs = $3
    proposals = $proposal
    mobike = no
    fragmentation = no
    encap = $encap
    local { auth = $local_auth
            id = $4 $local_keys }
    remote { auth = $remote_auth
             id = $5 $remote_keys }
    children {
      capture {
        esp_proposals = $esp_proposals
        local_ts = ${6}
        remote_ts = ${7}
      }
    }
  }
}
secrets {
  ike-capture {
    id-1 = left.example.org
    id-2 = right.example.org
    secret = "$psk"
  }
}
CONF
}
if [ "$authmode" != psk ]; then
  mkdir -p "$work/keys"
  genkey "$work/keys/left"
  genkey "$work/keys/right"
fi
setup_side left 192.0.2.1 192.0.2.2 left.example.org right.example.org 198.51.100.0/24 203.0.113.0/24 right
setup_side right 192.0.2.2 192.0.2.1 right.example.org left.example.org 203.0.113.0/24 198.51.100.0/24 left

start_charon() { # side ns
  local dir=$work/$1
  STRONGSWAN_CONF=$dir/strongswan.conf ip netns exec "$2" unshare -m sh -c \
    'mount -t tmpfs tmpfs /run && exec /usr/lib/ipsec/charon' >"$dir/stdout" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -S "$dir/charon.vici" ] && return 0; sleep 0.1; done
  echo "charon $1 did not start" >&2; cat "$dir/stdout" >&2; return 1
}

ip netns exec "$left" tcpdump -i veth-l -U -w "$work/capture.pcap" --immediate-mode 'udp port 500 or udp port 4500 or esp' 2>"$work/tcpdump.err" &
pids+=($!)
start_charon left "$left"
start_charon right "$right"
for side in left right; do
  swanctl --load-all --file "$work/$side/swanctl.conf" --uri "unix://$work/$side/charon.vici" >/dev/null 2>&1
done
# The initiate fails at CHILD SA installation (no ESP in this kernel); IKE is done by then.
swanctl --initiate --child capture --uri "unix://$work/left/charon.vici" --timeout 10 >"$work/initiate.log" 2>&1 || true
probe() { # tag
  # Probes each way through the tunnel (routes via charon's TUN device).
  for _ in 1 2 3; do
    ip netns exec "$left" bash -c "echo nodeswan-esp-probe-i2r$1 > /dev/udp/203.0.113.1/9" 2>/dev/null || true
    ip netns exec "$right" bash -c "echo nodeswan-esp-probe-r2i$1 > /dev/udp/198.51.100.1/9" 2>/dev/null || true
  done
}
case $extra in
  esp) probe '' ;;
  esp-rekey)
    probe ''
    swanctl --rekey --child capture --uri "unix://$work/left/charon.vici" >/dev/null 2>&1
    # Wait (up to 10 s) until the initiator reports the rekeyed CHILD SA.
    for _ in $(seq 100); do
      grep -q 'CHILD_SA capture{2} established' "$work/left/charon.log" && break
      sleep 0.1
    done
    sleep 0.5
    probe '-pfs' ;;
esac
if [ "$extra" = rekey ]; then
  swanctl --rekey --ike capture --uri "unix://$work/left/charon.vici" >/dev/null 2>&1
  # Wait (up to 10 s) until the initiator has deleted the old IKE SA.
  for _ in $(seq 100); do
    grep -q 'IKE_SA deleted' "$work/left/charon.log" && break
    sleep 0.1
  done
fi
sleep 1
# Stop tcpdump and both charons so the pcap and the logs are complete.
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()

NODESWAN_AUTH_MODE=$authmode NODESWAN_KEYS=$work/keys node --import tsx "$here/extract-capture.ts" "$name" "$proposal" "$psk" "$work/capture.pcap" "$work/left/charon.log" "$work/right/charon.log" >"$work/$name.json"
mv "$work/$name.json" "$here/$name.json"
echo "wrote $here/$name.json"
