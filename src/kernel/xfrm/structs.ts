// Field tables mirroring linux/xfrm.h (the uapi header), in header order.
// Layout (offsets, padding, sizes) is computed by ../netlink/struct.ts and
// checked against the C compiler in test/kernel/xfrm-layout.test.ts.
import { defineStruct } from '../netlink/struct.js';

/** xfrm_address_t: union of __be32 a4 / __be32 a6[4] / in6_addr. */
export const xfrm_address_t = { bytes: 16, align: 4 } as const;

export const xfrm_id = defineStruct('xfrm_id', [
  ['daddr', xfrm_address_t],
  ['spi', 'be32'],
  ['proto', 'u8'],
]);

export const xfrm_selector = defineStruct('xfrm_selector', [
  ['daddr', xfrm_address_t],
  ['saddr', xfrm_address_t],
  ['dport', 'be16'],
  ['dport_mask', 'be16'],
  ['sport', 'be16'],
  ['sport_mask', 'be16'],
  ['family', 'u16'],
  ['prefixlen_d', 'u8'],
  ['prefixlen_s', 'u8'],
  ['proto', 'u8'],
  ['ifindex', 'i32'],
  ['user', 'u32'],
]);

export const xfrm_lifetime_cfg = defineStruct('xfrm_lifetime_cfg', [
  ['soft_byte_limit', 'u64'],
  ['hard_byte_limit', 'u64'],
  ['soft_packet_limit', 'u64'],
  ['hard_packet_limit', 'u64'],
  ['soft_add_expires_seconds', 'u64'],
  ['hard_add_expires_seconds', 'u64'],
  ['soft_use_expires_seconds', 'u64'],
  ['hard_use_expires_seconds', 'u64'],
]);

export const xfrm_lifetime_cur = defineStruct('xfrm_lifetime_cur', [
  ['bytes', 'u64'],
  ['packets', 'u64'],
  ['add_time', 'u64'],
  ['use_time', 'u64'],
]);

export const xfrm_stats = defineStruct('xfrm_stats', [
  ['replay_window', 'u32'],
  ['replay', 'u32'],
  ['integrity_failed', 'u32'],
]);

export const xfrm_usersa_info = defineStruct('xfrm_usersa_info', [
  ['sel', xfrm_selector],
  ['id', xfrm_id],
  ['saddr', xfrm_address_t],
  ['lft', xfrm_lifetime_cfg],
  ['curlft', xfrm_lifetime_cur],
  ['stats', xfrm_stats],
  ['seq', 'u32'],
  ['reqid', 'u32'],
  ['family', 'u16'],
  ['mode', 'u8'],
  ['replay_window', 'u8'],
  ['flags', 'u8'],
]);

export const xfrm_usersa_id = defineStruct('xfrm_usersa_id', [
  ['daddr', xfrm_address_t],
  ['spi', 'be32'],
  ['family', 'u16'],
  ['proto', 'u8'],
]);

export const xfrm_userspi_info = defineStruct('xfrm_userspi_info', [
  ['info', xfrm_usersa_info],
  ['min', 'u32'],
  ['max', 'u32'],
]);

export const xfrm_userpolicy_info = defineStruct('xfrm_userpolicy_info', [
  ['sel', xfrm_selector],
  ['lft', xfrm_lifetime_cfg],
  ['curlft', xfrm_lifetime_cur],
  ['priority', 'u32'],
  ['index', 'u32'],
  ['dir', 'u8'],
  ['action', 'u8'],
  ['flags', 'u8'],
  ['share', 'u8'],
]);

export const xfrm_userpolicy_id = defineStruct('xfrm_userpolicy_id', [
  ['sel', xfrm_selector],
  ['index', 'u32'],
  ['dir', 'u8'],
]);

export const xfrm_user_tmpl = defineStruct('xfrm_user_tmpl', [
  ['id', xfrm_id],
  ['family', 'u16'],
  ['saddr', xfrm_address_t],
  ['reqid', 'u32'],
  ['mode', 'u8'],
  ['share', 'u8'],
  ['optional', 'u8'],
  ['aalgos', 'u32'],
  ['ealgos', 'u32'],
  ['calgos', 'u32'],
]);

export const xfrm_encap_tmpl = defineStruct('xfrm_encap_tmpl', [
  ['encap_type', 'u16'],
  ['encap_sport', 'be16'],
  ['encap_dport', 'be16'],
  ['encap_oa', xfrm_address_t],
]);

export const xfrm_mark = defineStruct('xfrm_mark', [
  ['v', 'u32'],
  ['m', 'u32'],
]);

/** Fixed part only; the key (bytes) follows directly. */
export const xfrm_algo = defineStruct('xfrm_algo', [
  ['alg_name', { bytes: 64, align: 1 }],
  ['alg_key_len', 'u32'],
]);

export const xfrm_algo_auth = defineStruct('xfrm_algo_auth', [
  ['alg_name', { bytes: 64, align: 1 }],
  ['alg_key_len', 'u32'],
  ['alg_trunc_len', 'u32'],
]);

export const xfrm_algo_aead = defineStruct('xfrm_algo_aead', [
  ['alg_name', { bytes: 64, align: 1 }],
  ['alg_key_len', 'u32'],
  ['alg_icv_len', 'u32'],
]);

/** Fixed part only; bmp_len 32-bit words of bitmap follow. */
export const xfrm_replay_state_esn = defineStruct('xfrm_replay_state_esn', [
  ['bmp_len', 'u32'],
  ['oseq', 'u32'],
  ['seq', 'u32'],
  ['oseq_hi', 'u32'],
  ['seq_hi', 'u32'],
  ['replay_window', 'u32'],
]);

export const xfrm_user_acquire = defineStruct('xfrm_user_acquire', [
  ['id', xfrm_id],
  ['saddr', xfrm_address_t],
  ['sel', xfrm_selector],
  ['policy', xfrm_userpolicy_info],
  ['aalgos', 'u32'],
  ['ealgos', 'u32'],
  ['calgos', 'u32'],
  ['seq', 'u32'],
]);

export const xfrm_user_expire = defineStruct('xfrm_user_expire', [
  ['state', xfrm_usersa_info],
  ['hard', 'u8'],
]);

export const xfrm_user_mapping = defineStruct('xfrm_user_mapping', [
  ['id', xfrm_usersa_id],
  ['reqid', 'u32'],
  ['old_saddr', xfrm_address_t],
  ['new_saddr', xfrm_address_t],
  ['old_sport', 'be16'],
  ['new_sport', 'be16'],
]);

export const xfrm_usersa_flush = defineStruct('xfrm_usersa_flush', [['proto', 'u8']]);

export const XFRM_STRUCTS = [
  xfrm_id, xfrm_selector, xfrm_lifetime_cfg, xfrm_lifetime_cur, xfrm_stats, xfrm_usersa_info,
  xfrm_usersa_id, xfrm_userspi_info, xfrm_userpolicy_info, xfrm_userpolicy_id, xfrm_user_tmpl,
  xfrm_encap_tmpl, xfrm_mark, xfrm_algo, xfrm_algo_auth, xfrm_algo_aead, xfrm_replay_state_esn,
  xfrm_user_acquire, xfrm_user_expire, xfrm_user_mapping, xfrm_usersa_flush,
];

// Message types (enum in xfrm.h, base 0x10).
export const XFRM_MSG_NEWSA = 0x10;
export const XFRM_MSG_DELSA = 0x11;
export const XFRM_MSG_GETSA = 0x12;
export const XFRM_MSG_NEWPOLICY = 0x13;
export const XFRM_MSG_DELPOLICY = 0x14;
export const XFRM_MSG_GETPOLICY = 0x15;
export const XFRM_MSG_ALLOCSPI = 0x16;
export const XFRM_MSG_ACQUIRE = 0x17;
export const XFRM_MSG_EXPIRE = 0x18;
export const XFRM_MSG_UPDPOLICY = 0x19;
export const XFRM_MSG_UPDSA = 0x1a;
export const XFRM_MSG_POLEXPIRE = 0x1b;
export const XFRM_MSG_MAPPING = 0x26;

// Attributes (enum xfrm_attr_type_t).
export const XFRMA_ALG_AUTH = 1;
export const XFRMA_ALG_CRYPT = 2;
export const XFRMA_ENCAP = 4;
export const XFRMA_TMPL = 5;
export const XFRMA_SA = 6;
export const XFRMA_POLICY = 7;
export const XFRMA_POLICY_TYPE = 16;
export const XFRMA_ALG_AEAD = 18;
export const XFRMA_ALG_AUTH_TRUNC = 20;
export const XFRMA_MARK = 21;
export const XFRMA_REPLAY_ESN_VAL = 23;
export const XFRMA_IF_ID = 31;

// Multicast groups (enum xfrm_nlgroups).
export const XFRMNLGRP_ACQUIRE = 1;
export const XFRMNLGRP_EXPIRE = 2;
export const XFRMNLGRP_SA = 3;
export const XFRMNLGRP_POLICY = 4;
export const XFRMNLGRP_MAPPING = 8;

export const XFRM_MODE_TRANSPORT = 0;
export const XFRM_MODE_TUNNEL = 1;
export const XFRM_POLICY_IN = 0;
export const XFRM_POLICY_OUT = 1;
export const XFRM_POLICY_FWD = 2;
export const XFRM_POLICY_ALLOW = 0;
export const XFRM_POLICY_BLOCK = 1;
export const XFRM_STATE_AF_UNSPEC = 32;
export const XFRM_STATE_ESN = 128;
export const UDP_ENCAP_ESPINUDP = 2;
export const XFRM_INF = 0xffff_ffff_ffff_ffffn;

export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const AF_INET = 2;
export const AF_INET6 = 10;
