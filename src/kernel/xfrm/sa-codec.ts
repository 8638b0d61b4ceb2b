// SA messages: XFRM_MSG_NEWSA/UPDSA, GETSA/DELSA ids, ALLOCSPI, and SAs as
// the kernel reports them. Pure functions.
import type {
  AllocSpiRequest,
  SaId,
  SaSpec,
  SaState,
} from '../backend.js';
import { KernelError } from '../backend.js';
import { formatAddress, parseAddress } from '../address.js';
import { decodeAttributes, type Attribute } from '../netlink/message.js';
import { decodeStruct, encodeStruct, type StructValue } from '../netlink/struct.js';
import { anySelector } from '../selector.js';
import { familyCode, familyFromCode, protoCode, protoFromCode, modeCode, modeFromCode, sameFamily, num, lifetimeCfg, decodeLifetimeCfg, selectorStruct, decodeSelector, markAttr, ifIdAttr, decodeMark, decodeIfId, algAttrs, decodeAlgorithms } from './fields.js';
import * as X from './structs.js';

/** Legacy (non-ESN) replay state holds a 32-packet bitmap. */
const LEGACY_REPLAY_MAX = 32;

/** XFRM_MSG_NEWSA / XFRM_MSG_UPDSA payload. */
export function encodeSa(sa: SaSpec): { fixed: Buffer; attrs: Attribute[] } {
  const family = sameFamily('SA', sa.src, sa.dst);
  const window = sa.replayWindow ?? 0;
  if (!Number.isInteger(window) || window < 0 || window > 4096) {
    throw new KernelError('KERNEL_BAD_REPLAY_WINDOW', 'EINVAL', `replay window ${window} is out of range (0-4096)`);
  }
  if (sa.esn && sa.proto !== 'esp') {
    throw new KernelError('KERNEL_BAD_ESN', 'EINVAL', 'extended sequence numbers need ESP');
  }
  if (sa.esn && window === 0) {
    // The kernel refuses an ESN replay state without a window (EINVAL, "ESN replay window must be > 0").
    throw new KernelError('KERNEL_BAD_REPLAY_WINDOW', 'EINVAL', 'extended sequence numbers need a replay window of at least 1 packet');
  }
  const useEsnState = sa.esn === true || window > LEGACY_REPLAY_MAX;
  // A tunnel-mode SA without a selector of its own carries inner packets of
  // either family (IPv4 inside IPv6 and the reverse). Left with a zero
  // selector family, the kernel stamps the SA's outer family on it, and an
  // outbound flow of the other family never finds the SA (XfrmOutNoStates,
  // an ACQUIRE instead): XFRM_STATE_AF_UNSPEC keeps the selector family-free.
  const familyFree = sa.selector === undefined && sa.mode === 'tunnel';
  const selector = sa.selector ?? anySelector(family);
  const fixed = encodeStruct(X.xfrm_usersa_info, {
    sel: familyFree ? { ...selectorStruct(selector), family: 0 } : selectorStruct(selector),
    id: { daddr: parseAddress(sa.dst).bytes, spi: sa.spi, proto: protoCode(sa.proto) },
    saddr: parseAddress(sa.src).bytes,
    lft: lifetimeCfg(sa.lifetime),
    reqid: sa.reqid,
    family: familyCode(family),
    mode: modeCode(sa.mode),
    replay_window: useEsnState ? 0 : window,
    flags: (sa.esn ? X.XFRM_STATE_ESN : 0) | (familyFree ? X.XFRM_STATE_AF_UNSPEC : 0),
  });
  const attrs = algAttrs(sa);
  if (sa.encap) {
    attrs.push({
      type: X.XFRMA_ENCAP,
      value: encodeStruct(X.xfrm_encap_tmpl, {
        encap_type: X.UDP_ENCAP_ESPINUDP,
        encap_sport: sa.encap.srcPort,
        encap_dport: sa.encap.dstPort,
      }),
    });
  }
  if (useEsnState) {
    const words = Math.ceil(window / 32);
    const head = encodeStruct(X.xfrm_replay_state_esn, { bmp_len: words, replay_window: window });
    attrs.push({ type: X.XFRMA_REPLAY_ESN_VAL, value: Buffer.concat([head, Buffer.alloc(words * 4)]) });
  }
  attrs.push(...markAttr(sa.mark), ...ifIdAttr(sa.ifId));
  return { fixed, attrs };
}

/** XFRM_MSG_GETSA / XFRM_MSG_DELSA payload. */
export function encodeSaId(id: SaId): { fixed: Buffer; attrs: Attribute[] } {
  const dst = parseAddress(id.dst);
  const fixed = encodeStruct(X.xfrm_usersa_id, {
    daddr: dst.bytes,
    spi: id.spi,
    family: familyCode(dst.family),
    proto: protoCode(id.proto),
  });
  return { fixed, attrs: markAttr(id.mark) };
}

/** XFRM_MSG_ALLOCSPI payload. */
export function encodeAllocSpi(req: AllocSpiRequest): { fixed: Buffer; attrs: Attribute[] } {
  const family = sameFamily('allocSpi', req.src, req.dst);
  const min = req.min ?? 0x100;
  const max = req.max ?? 0xffffffff;
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && min <= max && max <= 0xffffffff)) {
    throw new KernelError('KERNEL_BAD_SPI_RANGE', 'EINVAL', `SPI range ${min}-${max} is invalid (1 <= min <= max <= 0xffffffff)`);
  }
  const fixed = encodeStruct(X.xfrm_userspi_info, {
    info: {
      id: { daddr: parseAddress(req.dst).bytes, proto: protoCode(req.proto) },
      saddr: parseAddress(req.src).bytes,
      reqid: req.reqid,
      family: familyCode(family),
      mode: modeCode(req.mode ?? 'transport'),
    },
    min,
    max,
  });
  return { fixed, attrs: [...markAttr(req.mark), ...ifIdAttr(req.ifId)] };
}

export function decodeSa(payload: Buffer): SaState {
  const v = decodeStruct(X.xfrm_usersa_info, payload);
  const attrs = decodeAttributes(payload, X.xfrm_usersa_info.size);
  return saFromStruct(v, attrs);
}

export function saFromStruct(v: StructValue, attrs: Map<number, Buffer>): SaState {
  const family = familyFromCode(num(v.family));
  const id = v.id as StructValue;
  const algorithms = decodeAlgorithms(attrs);
  const flags = num(v.flags);
  const curlft = v.curlft as StructValue;
  const stats = v.stats as StructValue;
  let replayWindow = num(v.replay_window);
  const esnState = attrs.get(X.XFRMA_REPLAY_ESN_VAL);
  if (esnState && esnState.length >= X.xfrm_replay_state_esn.size) {
    replayWindow = num(decodeStruct(X.xfrm_replay_state_esn, esnState).replay_window);
  }
  const sa: SaState = {
    dst: formatAddress(family, id.daddr as Uint8Array),
    spi: num(id.spi),
    proto: protoFromCode(num(id.proto)),
    src: formatAddress(family, v.saddr as Uint8Array),
    mode: modeFromCode(num(v.mode)),
    reqid: num(v.reqid),
    algorithms,
    esn: (flags & X.XFRM_STATE_ESN) !== 0,
    replayWindow,
    lifetime: decodeLifetimeCfg(v.lft as StructValue),
    current: {
      bytes: num(curlft.bytes),
      packets: num(curlft.packets),
      addTime: num(curlft.add_time),
      useTime: num(curlft.use_time),
    },
    stats: {
      replayWindow: num(stats.replay_window),
      replay: num(stats.replay),
      integrityFailed: num(stats.integrity_failed),
    },
    selector: decodeSelector(v.sel as StructValue, family),
    larval: !algorithms.aead && !algorithms.crypt && !algorithms.auth,
  };
  const encap = attrs.get(X.XFRMA_ENCAP);
  if (encap) {
    const e = decodeStruct(X.xfrm_encap_tmpl, encap);
    sa.encap = { srcPort: num(e.encap_sport), dstPort: num(e.encap_dport) };
  }
  const mark = decodeMark(attrs);
  if (mark) sa.mark = mark;
  const ifId = decodeIfId(attrs);
  if (ifId !== undefined) sa.ifId = ifId;
  return sa;
}
