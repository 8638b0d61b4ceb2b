// Hand-built whole messages (RFC 7296 §3.1 header + chained payloads from
// payloads.ts). The header Length is written by hand too.

import { hex } from './hex.js';
import * as v from './payloads.js';

const SPI_I = '0011223344556677';
const SPI_R = '8899aabbccddeeff';

/** HDR, SA, KE, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP) */
export const ikeSaInitRequest = (): Buffer =>
  Buffer.concat([
    hex(`
      ${SPI_I}             # IKE SA Initiator's SPI
      0000000000000000     # IKE SA Responder's SPI (zero in the first request)
      21                   # Next Payload 33 (SA)
      20                   # MjVer 2, MnVer 0
      22                   # Exchange Type 34 (IKE_SA_INIT)
      08                   # Flags: I
      00000000             # Message ID 0
      000000d8             # Length 216 = 28 + SA 84 + KE 16 + Ni 20 + N 28 + N 28 + V 12
    `),
    v.saIke('22'), // -> KE
    v.ke('28'), // -> Ni
    v.nonce('29'), // -> N
    v.notifyNatd('29', '4004'), // NAT_DETECTION_SOURCE_IP -> N
    v.notifyNatd('2b', '4005'), // NAT_DETECTION_DESTINATION_IP -> V
    v.vendorId('00'),
  ]);

/** HDR(response), N(INVALID_KE_PAYLOAD): the notify-only IKE_SA_INIT answer. */
export const ikeSaInitInvalidKe = (): Buffer =>
  Buffer.concat([
    hex(`
      ${SPI_I} 0000000000000000
      29 20 22               # Next Payload N, version 2.0, IKE_SA_INIT
      20                     # Flags: R
      00000000 00000026      # Message ID 0, Length 38 = 28 + 10
    `),
    v.notifyInvalidKe('00'),
  ]);

/** HDR, SK{...}: IKE_AUTH request; the SK body (IV|ciphertext|ICV) is opaque bytes. */
export const ikeAuthRequestSk = (): Buffer =>
  hex(`
    ${SPI_I} ${SPI_R}
    2e 20 23               # Next Payload 46 (SK), 2.0, Exchange Type 35 (IKE_AUTH)
    08                     # Flags: I
    00000001               # Message ID 1
    00000060               # Length 96 = 28 + 68
    23 00 0044             # SK: Next Payload 35 (IDi, first inner payload), length 68
    000102030405060708090a0b0c0d0e0f                                  # IV (16)
    101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f  # ciphertext (32)
    f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff                                  # ICV (16)
  `);

/** HDR, SKF{...}: fragment 1 of 2 of an IKE_AUTH response (RFC 7383). */
export const ikeAuthResponseSkf = (): Buffer =>
  hex(`
    ${SPI_I} ${SPI_R}
    35 20 23               # Next Payload 53 (SKF), 2.0, IKE_AUTH
    20                     # Flags: R
    00000001               # Message ID 1
    0000004c               # Length 76 = 28 + 48
    24 00 0030             # SKF: Next Payload 36 (IDr), length 48
    0001 0002              # Fragment Number 1, Total Fragments 2
    000102030405060708090a0b0c0d0e0f                  # IV
    1011121314151617                                  # ciphertext
    f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff                  # ICV
  `);

/** Every reserved field and bit set: must survive decode/encode unchanged. */
export const sloppyReservedBits = (): Buffer =>
  hex(`
    ${SPI_I} ${SPI_R}
    23 20 25               # Next Payload IDi, 2.0, INFORMATIONAL (rules do not matter here)
    0d                     # Flags: I plus X bits 0x05
    00000007 00000088      # Message ID 7, Length 136 = 28 + 12 + 24 + 16 + 12 + 24 + 20
    27 7f 000c             # IDi header: next AUTH, C=0 with all 7 RESERVED bits set
       01 abcdef c0000201  #   ID_IPV4_ADDR, RESERVED 0xabcdef, 192.0.2.1
    2f 00 0018             # AUTH header: next CP
       02 000001 00112233445566778899aabbccddeeff   # method 2, RESERVED 1
    22 00 0010             # CP header: next KE
       01 800100           #   CFG_REQUEST, RESERVED 0x800100
       8001 0004 64400002  #   R bit set, INTERNAL_IP4_ADDRESS 100.64.0.2
    2c 00 000c             # KE header: next TSi
       0013 beef 01020304  #   group 19, RESERVED 0xbeef
    21 00 0018             # TSi header: next SA
       01 010203           #   1 TS, RESERVED 0x010203
       07 00 0010 0000 ffff c0000200 c00002ff
    00 00 0014             # SA header: last payload
       00 55 0010 01 01 00 01   # proposal: RESERVED 0x55, len 16, #1, IKE, no SPI, 1 transform
       00 66 0008 01 77 000c    # transform: RESERVED 0x66, ENCR, RESERVED 0x77, AES_CBC
  `);
