#!/usr/bin/env bash
# Records one strongSwan IKE SA life with every exchange type, for the wire
# codec tests (run as root):   test/vectors/wire/make-exchanges-capture.sh
# Two charons in two network namespaces joined by a veth pair (192.0.2.1 <->
# 192.0.2.2). The initiator asks for a virtual IP (CP), fragments IKE_AUTH
# (fragment_size 300 -> SKF, RFC 7383), then the IKE SA is rekeyed
# (CREATE_CHILD_SA with SA, Ni, KE) and deleted (INFORMATIONAL with D).
# The CHILD SA cannot be installed on a kernel without ESP; IKE goes on.
# Output: strongswan-exchanges.json = the UDP datagrams (non-ESP marker
# removed), the SK_e keys of both IKE SAs (ike 4 log dumps), and
# strongSwan's own one-line summary of every message it generated or
# parsed, e.g. "parsed IKE_SA_INIT response 0 [ SA KE No ... ]".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/nodeswan-wirecap.XXXXXX)
left=nswwire-left-$$
right=nswwire-right-$$
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$left" 2>/dev/null || true
  ip netns del "$right" 2>/dev/null || true
  if [ -n "${KEEP_WORK:-}" ]; then rm -rf "$KEEP_WORK"; cp -r "$work" "$KEEP_WORK"; fi
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$left"
ip netns add "$right"
ip link add veth-wl netns "$left" type veth peer name veth-wr netns "$right"
ip -n "$left" addr add 192.0.2.1/24 dev veth-wl
ip -n "$right" addr add 192.0.2.2/24 dev veth-wr
for ns in "$left" "$right"; do ip -n "$ns" link set lo up; done
ip -n "$left" link set veth-wl up
ip -n "$right" link set veth-wr up

write_conf() { # side local remote local-id remote-id local-ts remote-ts extra-conn-lines extra-top
  local dir=$work/$1
  mkdir -p "$dir"/{x509,x509ca,private,rsa,ecdsa,pkcs8,pkcs12,pubkey,x509aa,x509ac,x509crl,x509ocsp}
  cat >"$dir/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl kdf pem pkcs1 x509 pubkey kernel-netlink socket-default vici updown attr
  install_routes = no
  install_virtual_ip = no
  retransmit_tries = 2
  fragment_size = 300
  plugins {
    vici { socket = unix://$dir/charon.vici }
  }
  filelog {
    main {
      path = $dir/charon.log
      default = 1
      enc = 1
      ike = 4
      net = 1
    }
  }
}
CONF
  cat >"$dir/swanctl.conf" <<CONF
connections {
  wire {
    version = 2
    local_addrs = $2
    remote_addrs = $3
    proposals = aes256gcm16-prfsha256-x25519
    mobike = no
    fragmentation = yes
    $8
    local { auth = psk
            id = $4 }
    remote { auth = psk
             id = $5 }
    children {
      wire {
        esp_proposals = aes128gcm16
        local_ts = $6
        remote_ts = $7
      }
    }
  }
}
$9
secrets {
  ike-wire {
    id-1 = left.example.org
    id-2 = right.example.org
    secret = "nodeswan wire capture secret, not used anywhere else"
  }
}
CONF
}
write_conf left 192.0.2.1 192.0.2.2 left.example.org right.example.org dynamic 203.0.113.0/24 'vips = 0.0.0.0' ''
write_conf right 192.0.2.2 192.0.2.1 right.example.org left.example.org 203.0.113.0/24 dynamic 'pools = vpn' \
  'pools { vpn { addrs = 100.64.0.0/24
                 dns = 192.0.2.53 } }'

start_charon() { # side ns
  local dir=$work/$1
  STRONGSWAN_CONF=$dir/strongswan.conf ip netns exec "$2" unshare -m sh -c \
    'mount -t tmpfs tmpfs /run && exec /usr/lib/ipsec/charon' >"$dir/stdout" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -S "$dir/charon.vici" ] && return 0; sleep 0.1; done
  echo "charon $1 did not start" >&2; cat "$dir/stdout" >&2; return 1
}

ip netns exec "$left" tcpdump -i veth-wl -U -w "$work/capture.pcap" --immediate-mode 'udp port 500 or udp port 4500' 2>"$work/tcpdump.err" &
pids+=($!)
start_charon left "$left"
start_charon right "$right"
for side in left right; do
  swanctl --load-all --file "$work/$side/swanctl.conf" --uri "unix://$work/$side/charon.vici" >"$work/$side/load.log" 2>&1
done
uri=unix://$work/left/charon.vici
swanctl --initiate --child wire --uri "$uri" --timeout 10 >"$work/initiate.log" 2>&1 || true
sleep 0.5
swanctl --rekey --ike wire --uri "$uri" >"$work/rekey.log" 2>&1 || true
sleep 1
swanctl --terminate --ike wire --uri "$uri" --timeout 5 >"$work/terminate.log" 2>&1 || true
sleep 0.5
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()

node --import tsx "$here/extract-exchanges.ts" "$work/capture.pcap" "$work/left/charon.log" >"$work/out.json"
mv "$work/out.json" "$here/strongswan-exchanges.json"
echo "wrote $here/strongswan-exchanges.json"
