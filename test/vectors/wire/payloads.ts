// Hand-built payload vectors, one payload each, laid out field by field as
// in RFC 7296 §3 (RFC 7383 §2.5 for SKF). Each is a function of the Next
// Payload octet so messages.ts can chain them. Lengths are written by hand:
// a mistake here shows up as a decode error, not as a silently agreeing
// encoder.

import { hex } from './hex.js';

type Vec = (next?: string) => Buffer;

// --- SA (§3.3): two IKE proposals with Key Length attributes ---------------
export const saIke: Vec = (next = '00') => hex(`
  ${next} 00 0054          # generic header: next, C=0, length 84
  # proposal 1
  02 00 002c             # Last Substruc 2 (more), RESERVED, Proposal Length 44
  01 01 00 04            # Proposal Num 1, Protocol ID 1 (IKE), SPI Size 0, Num Transforms 4
  03 00 000c 01 00 000c  # transform: more, len 12, ENCR, ID 12 (AES_CBC)
     800e 0100           #   attribute AF=1 type 14 (Key Length) = 256
  03 00 0008 02 00 0005  # transform: more, len 8, PRF, ID 5 (HMAC_SHA2_256)
  03 00 0008 03 00 000c  # transform: more, len 8, INTEG, ID 12 (HMAC_SHA2_256_128)
  00 00 0008 04 00 001f  # transform: last, len 8, KE, ID 31 (CURVE25519)
  # proposal 2
  00 00 0024             # Last Substruc 0 (last), Proposal Length 36
  02 01 00 03            # Proposal Num 2, IKE, SPI Size 0, 3 transforms
  03 00 000c 01 00 0014  # ENCR 20 (AES_GCM_16)
     800e 0100           #   Key Length 256
  03 00 0008 02 00 0006  # PRF 6 (HMAC_SHA2_384)
  00 00 0008 04 00 0013  # KE 19 (ECP_256)
`);

// --- SA (§3.3): one ESP proposal with SPI and a TLV attribute -------------
export const saEsp: Vec = (next = '00') => hex(`
  ${next} 00 0033          # generic header, length 51
  00 00 002f             # last proposal, length 47
  01 03 04 03            # Proposal 1, Protocol ID 3 (ESP), SPI Size 4, 3 transforms
  c0ffee01               # SPI
  03 00 000c 01 00 000c 800e 0080    # ENCR AES_CBC, Key Length 128
  03 00 000f 03 00 000c              # INTEG HMAC_SHA2_256_128, length 15 ...
     0011 0003 aabbcc                #   ... TLV attribute AF=0 type 17 length 3
  00 00 0008 05 00 0000              # ESN 0 (no ESN)
`);

// --- KE (§3.4) -------------------------------------------------------------
export const ke: Vec = (next = '00') => hex(`
  ${next} 00 0010          # length 16
  001f 0000              # DH Group Num 31 (CURVE25519), RESERVED
  1122334455667788       # Key Exchange Data (8 octets, shortened)
`);

// --- ID (§3.5), every ID type ---------------------------------------------
export const idIpv4: Vec = (next = '00') => hex(`
  ${next} 00 000c          # length 12
  01 000000              # ID Type 1 (ID_IPV4_ADDR), RESERVED
  c0000201               # 192.0.2.1
`);
export const idIpv6: Vec = (next = '00') => hex(`
  ${next} 00 0018          # length 24
  05 000000              # ID_IPV6_ADDR
  20010db8000000000000000000000001   # 2001:db8::1
`);
export const idFqdn: Vec = (next = '00') => hex(`
  ${next} 00 0017          # length 23
  02 000000              # ID_FQDN
  76706e2e6578616d706c652e6f7267     # "vpn.example.org"
`);
export const idRfc822: Vec = (next = '00') => hex(`
  ${next} 00 0019          # length 25
  03 000000              # ID_RFC822_ADDR
  616c696365406578616d706c652e6f7267 # "alice@example.org"
`);
export const idDerDn: Vec = (next = '00') => hex(`
  ${next} 00 0016          # length 22
  09 000000              # ID_DER_ASN1_DN
  300c 310a 3008 0603550403 0c0161   # DER: SEQ{SET{SEQ{OID 2.5.4.3, UTF8String "a"}}} = "CN=a"
`);
export const idDerGn: Vec = (next = '00') => hex(`
  ${next} 00 0013          # length 19
  0a 000000              # ID_DER_ASN1_GN
  8209 612e6578616d706c65            # GeneralName dNSName [2] "a.example"
`);
export const idKeyId: Vec = (next = '00') => hex(`
  ${next} 00 000e          # length 14
  0b 000000              # ID_KEY_ID
  0102abcdef00           # opaque key id
`);
export const idNull: Vec = (next = '00') => hex(`
  ${next} 00 0008          # length 8
  0d 000000              # ID_NULL (RFC 7619), no data
`);

// --- CERT (§3.6) / CERTREQ (§3.7) -----------------------------------------
export const cert: Vec = (next = '00') => hex(`
  ${next} 00 000a          # length 10
  04                     # Cert Encoding 4 (X.509 Certificate - Signature)
  3082000000             # certificate data (shortened)
`);
export const certReq: Vec = (next = '00') => hex(`
  ${next} 00 0019          # length 25
  04                     # Cert Encoding 4
  0102030405060708090a0b0c0d0e0f1011121314   # SHA-1 hash of a CA public key
`);

// --- AUTH (§3.8) -----------------------------------------------------------
export const auth: Vec = (next = '00') => hex(`
  ${next} 00 0018          # length 24
  02 000000              # Auth Method 2 (Shared Key MIC), RESERVED
  00112233445566778899aabbccddeeff   # Authentication Data (16 octets, shortened)
`);

// --- Ni, Nr (§3.9) ---------------------------------------------------------
export const nonce: Vec = (next = '00') => hex(`
  ${next} 00 0014          # length 20
  a0a1a2a3a4a5a6a7a8a9aaabacadaeaf   # Nonce Data, 16 octets (the minimum)
`);

// --- N (§3.10) -------------------------------------------------------------
export const notifyWithSpi: Vec = (next = '00') => hex(`
  ${next} 00 000c          # length 12
  03 04 4009             # Protocol ID 3 (ESP), SPI Size 4, type 16393 (REKEY_SA)
  c0ffee01               # SPI
`);
export const notifyNatd = (next = '00', type = '4004') => hex(`
  ${next} 00 001c          # length 28
  00 00 ${type}            # no protocol, no SPI, NAT_DETECTION_SOURCE_IP (16388)
  000102030405060708090a0b0c0d0e0f10111213   # SHA-1 hash
`);
export const notifyInvalidKe: Vec = (next = '00') => hex(`
  ${next} 00 000a          # length 10
  00 00 0011             # INVALID_KE_PAYLOAD (17)
  0013                   # accepted group: 19 (ECP_256)
`);

// --- D (§3.11) -------------------------------------------------------------
export const deleteEsp: Vec = (next = '00') => hex(`
  ${next} 00 0014          # length 20
  03 04 0003             # Protocol ID 3 (ESP), SPI Size 4, Num of SPIs 3
  c0ffee01 c0ffee02 c0ffee03
`);
export const deleteIke: Vec = (next = '00') => hex(`
  ${next} 00 0008          # length 8
  01 00 0000             # Protocol ID 1 (IKE), SPI Size 0, no SPIs
`);

// --- V (§3.12) -------------------------------------------------------------
export const vendorId: Vec = (next = '00') => hex(`
  ${next} 00 000c          # length 12
  6e6f64657377616e       # "nodeswan"
`);

// --- TSi / TSr (§3.13) -----------------------------------------------------
export const tsIpv4: Vec = (next = '00') => hex(`
  ${next} 00 0028          # length 40
  02 000000              # Number of TSs 2, RESERVED
  07 06 0010             # TS_IPV4_ADDR_RANGE, IP Protocol 6 (TCP), Selector Length 16
  0000 ffff              # ports 0..65535
  c0000200 c00002ff      # 192.0.2.0 .. 192.0.2.255
  07 11 0010             # TS_IPV4_ADDR_RANGE, UDP
  01f4 01f4              # port 500..500
  c6336407 c6336407      # 198.51.100.7 .. 198.51.100.7
`);
export const tsIpv6: Vec = (next = '00') => hex(`
  ${next} 00 0030          # length 48
  01 000000              # 1 TS
  08 00 0028             # TS_IPV6_ADDR_RANGE, any protocol, Selector Length 40
  0000 ffff              # ports 0..65535
  20010db8000100000000000000000000   # 2001:db8:1::
  20010db80001ffffffffffffffffffff   # 2001:db8:1:ffff:ffff:ffff:ffff:ffff
`);
export const tsSecLabel: Vec = (next = '00') => hex(`
  ${next} 00 0013          # length 19
  01 000000              # 1 TS
  0a 00 000b             # TS_SECLABEL (RFC 9478), RESERVED, Selector Length 11
  73797374656d00         # security label "system\\0" (kept opaque)
`);

// --- CP (§3.15) ------------------------------------------------------------
export const cpRequest: Vec = (next = '00') => hex(`
  ${next} 00 0014          # length 20
  01 000000              # CFG_REQUEST, RESERVED
  0001 0000              # INTERNAL_IP4_ADDRESS, length 0 (any)
  0003 0000              # INTERNAL_IP4_DNS, length 0
  0008 0000              # INTERNAL_IP6_ADDRESS, length 0
`);
export const cpReply: Vec = (next = '00') => hex(`
  ${next} 00 003c          # length 60
  02 000000              # CFG_REPLY
  0001 0004 64400002     # INTERNAL_IP4_ADDRESS 100.64.0.2
  0003 0004 c0000235     # INTERNAL_IP4_DNS 192.0.2.53
  0008 0011 20010db8000000000000000000000002 40   # INTERNAL_IP6_ADDRESS 2001:db8::2 /64
  0019 000b 6578616d706c652e6f7267                 # INTERNAL_DNS_DOMAIN "example.org"
`);

// --- EAP (§3.16) -----------------------------------------------------------
export const eapIdentityRequest: Vec = (next = '00') => hex(`
  ${next} 00 0009          # length 9
  01 01 0005 01          # Code 1 (Request), Identifier 1, Length 5, Type 1 (Identity)
`);
export const eapSuccess: Vec = (next = '00') => hex(`
  ${next} 00 0008          # length 8
  03 02 0004             # Code 3 (Success), Identifier 2, Length 4, no Type
`);

// --- an unassigned payload type, kept verbatim when not critical ----------
export const unknownNonCritical: Vec = (next = '00') => hex(`
  ${next} 00 0008          # C=0, length 8
  deadbeef
`);
export const unknownCritical: Vec = (next = '00') => hex(`
  ${next} 80 0008          # C=1, length 8
  deadbeef
`);
