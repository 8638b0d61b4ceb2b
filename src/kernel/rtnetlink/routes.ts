// Site-to-site routes over rtnetlink (linux/rtnetlink.h, fib_rules.h).
// nodeswan owns one routing table (default 4500) and one `ip rule` per
// family pointing at it; routes to remote inside networks live only there,
// with the local inside address as preferred source, so flush can remove the
// whole table without touching anyone else's routes.
import type { RouteSpec } from '../backend.js';
import { KernelError } from '../backend.js';
import { familyOf, parseAddress, parsePrefix, type Family } from '../address.js';
import { decodeAttributes, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, u32Attr, type Attribute } from '../netlink/message.js';
import { NetlinkError, type NetlinkSocket } from '../netlink/socket.js';
import { defineStruct, encodeStruct } from '../netlink/struct.js';

export const rtmsg = defineStruct('rtmsg', [
  ['rtm_family', 'u8'], ['rtm_dst_len', 'u8'], ['rtm_src_len', 'u8'], ['rtm_tos', 'u8'],
  ['rtm_table', 'u8'], ['rtm_protocol', 'u8'], ['rtm_scope', 'u8'], ['rtm_type', 'u8'],
  ['rtm_flags', 'u32'],
]);
export const fib_rule_hdr = defineStruct('fib_rule_hdr', [
  ['family', 'u8'], ['dst_len', 'u8'], ['src_len', 'u8'], ['tos', 'u8'],
  ['table', 'u8'], ['res1', 'u8'], ['res2', 'u8'], ['action', 'u8'],
  ['flags', 'u32'],
]);
export const ifinfomsg = defineStruct('ifinfomsg', [
  ['ifi_family', 'u8'], ['__ifi_pad', 'u8'], ['ifi_type', 'u16'], ['ifi_index', 'i32'],
  ['ifi_flags', 'u32'], ['ifi_change', 'u32'],
]);

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;
const RTM_GETROUTE = 26;
const RTM_NEWRULE = 32;
const RTM_DELRULE = 33;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PREFSRC = 7;
const RTA_TABLE = 15;
const IFLA_IFNAME = 3;
const FRA_PRIORITY = 6;
const FRA_TABLE = 15;
const FR_ACT_TO_TBL = 1;
const RT_TABLE_UNSPEC = 0;
const RTPROT_STATIC = 4;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;
const RTN_UNICAST = 1;

const af = (f: Family): number => (f === 4 ? 2 : 10);

function addrAttr(type: number, address: string): Attribute {
  const a = parseAddress(address);
  return { type, value: a.bytes.subarray(0, a.family === 4 ? 4 : 16) };
}

export class RouteTable {
  constructor(
    private readonly socket: NetlinkSocket,
    readonly table: number,
    readonly rulePriority: number,
  ) {}

  async linkIndex(name: string): Promise<number> {
    const fixed = encodeStruct(ifinfomsg, {});
    try {
      const [reply] = await this.socket.request(RTM_GETLINK, 0, fixed, [{ type: IFLA_IFNAME, value: Buffer.from(`${name}\0`) }], 'single');
      if (!reply || reply.type !== RTM_NEWLINK) throw new Error('no link reply');
      return reply.payload.readInt32LE(4);
    } catch (err) {
      if (err instanceof NetlinkError && err.errno === 'ENODEV') {
        throw new KernelError('KERNEL_NO_DEVICE', 'ENODEV', `route: no network interface named '${name}'`);
      }
      throw err;
    }
  }

  private async routeMessage(route: RouteSpec): Promise<{ fixed: Buffer; attrs: Attribute[] }> {
    const dst = parsePrefix(route.dst);
    const family = dst.family;
    if (familyOf(route.src) !== family || (route.via && familyOf(route.via) !== family)) {
      throw new KernelError('KERNEL_BAD_ADDRESS', 'EINVAL', `route to ${route.dst}: src/via must be of the same family`);
    }
    if (!route.dev && !route.via) {
      throw new KernelError('KERNEL_BAD_ROUTE', 'EINVAL', `route to ${route.dst}: needs dev or via`);
    }
    const fixed = encodeStruct(rtmsg, {
      rtm_family: af(family),
      rtm_dst_len: dst.length,
      rtm_table: RT_TABLE_UNSPEC,
      rtm_protocol: RTPROT_STATIC,
      rtm_scope: route.via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
      rtm_type: RTN_UNICAST,
    });
    const attrs: Attribute[] = [
      { type: RTA_DST, value: dst.bytes.subarray(0, family === 4 ? 4 : 16) },
      u32Attr(RTA_TABLE, this.table),
      addrAttr(RTA_PREFSRC, route.src),
    ];
    if (route.via) attrs.push(addrAttr(RTA_GATEWAY, route.via));
    if (route.dev) attrs.push(u32Attr(RTA_OIF, await this.linkIndex(route.dev)));
    return { fixed, attrs };
  }

  async add(route: RouteSpec): Promise<void> {
    const { fixed, attrs } = await this.routeMessage(route);
    await this.ensureRule(parsePrefix(route.dst).family);
    await this.socket.request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, fixed, attrs, 'ack');
  }

  async delete(route: RouteSpec): Promise<void> {
    const { fixed, attrs } = await this.routeMessage(route);
    await this.socket.request(RTM_DELROUTE, 0, fixed, attrs, 'ack');
  }

  /** Deletes every route in our table and our rules; returns the route count. */
  async flush(): Promise<number> {
    let removed = 0;
    for (const family of [4, 6] as const) {
      const replies = await this.socket.request(RTM_GETROUTE, 0, encodeStruct(rtmsg, { rtm_family: af(family) }), [], 'dump');
      for (const m of replies) {
        if (m.type !== RTM_NEWROUTE) continue;
        const attrs = decodeAttributes(m.payload, rtmsg.size);
        const table = attrs.get(RTA_TABLE)?.readUInt32LE(0) ?? m.payload.readUInt8(4);
        if (table !== this.table) continue;
        // Delete exactly what the dump described (same header and attributes).
        const fixed = Buffer.from(m.payload.subarray(0, rtmsg.size));
        const keep = [RTA_DST, RTA_TABLE, RTA_OIF, RTA_GATEWAY, RTA_PREFSRC];
        const del: Attribute[] = [...attrs].filter(([t]) => keep.includes(t)).map(([type, value]) => ({ type, value }));
        try {
          await this.socket.request(RTM_DELROUTE, 0, fixed, del, 'ack');
          removed++;
        } catch (err) {
          if (!(err instanceof NetlinkError && err.errno === 'ESRCH')) throw err;
        }
      }
      await this.deleteRule(family);
    }
    return removed;
  }

  private ruleMessage(family: Family): { fixed: Buffer; attrs: Attribute[] } {
    const fixed = encodeStruct(fib_rule_hdr, { family: af(family), table: RT_TABLE_UNSPEC, action: FR_ACT_TO_TBL });
    return { fixed, attrs: [u32Attr(FRA_TABLE, this.table), u32Attr(FRA_PRIORITY, this.rulePriority)] };
  }

  private async ensureRule(family: Family): Promise<void> {
    const { fixed, attrs } = this.ruleMessage(family);
    try {
      await this.socket.request(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, fixed, attrs, 'ack');
    } catch (err) {
      if (!(err instanceof NetlinkError && err.errno === 'EEXIST')) throw err;
    }
  }

  private async deleteRule(family: Family): Promise<void> {
    const { fixed, attrs } = this.ruleMessage(family);
    try {
      await this.socket.request(RTM_DELRULE, 0, fixed, attrs, 'ack');
    } catch (err) {
      if (!(err instanceof NetlinkError && (err.errno === 'ENOENT' || err.errno === 'ESRCH'))) throw err;
    }
  }
}
