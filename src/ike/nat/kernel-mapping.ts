// The kernel's MAPPING event (XFRM_MSG_MAPPING): UDP-encapsulated ESP of
// one of our inbound SAs arrived from another source port than the SA's
// encapsulation names, i.e. the NAT in front of the peer gave it a new
// mapping (RFC 3948 §4 leaves following it to the keying daemon). The IKE
// SA that owns the SA follows the new port in place (ike-sa.ts
// followMapping); nothing is renegotiated. The kernel repeats the event for
// every such packet until the SA is updated, so a mapping we do not follow
// (a new address: MOBIKE's job) is logged once per new endpoint.

import type { KernelEvent } from '../../kernel/backend.js';
import type { IkeSa } from '../ike-sa.js';

export type MappingEvent = Extract<KernelEvent, { type: 'mapping' }>;

export interface KernelMappingPorts {
  sas(): IkeSa[];
  log(level: 'debug' | 'info' | 'warn', message: string, conn?: string): void;
}

export class KernelMappings {
  /** The last endpoint per IKE SA we declined to follow (one log line each). */
  private readonly declined = new WeakMap<IkeSa, string>();

  constructor(private readonly ports: KernelMappingPorts) {}

  handle(event: MappingEvent): void {
    const owner = this.ports.sas().find((sa) =>
      sa.data.children.some((c) => c.state.is('INSTALLED') && c.params.protocol === event.sa.proto && c.params.spiIn === event.sa.spi && c.params.localAddress === event.sa.dst),
    );
    const spi = event.sa.spi.toString(16).padStart(8, '0');
    const to = `${event.newSrc}[${event.newSrcPort}]`;
    if (!owner) {
      this.ports.log('debug', `kernel MAPPING for SA ${spi}, which no IKE SA of ours owns; ignored`);
      return;
    }
    const name = owner.data.conn?.name;
    const { remote } = owner.data;
    if (event.newSrc !== remote.address) {
      if (this.declined.get(owner) === to) return;
      this.declined.set(owner, to);
      this.ports.log('warn', `ESP of CHILD SA ${spi} now arrives from ${to} instead of ${remote.address}[${remote.port}]: a new peer address is not followed (no MOBIKE); the SA keeps sending to the old one`, name);
      return;
    }
    if (remote.port === event.newSrcPort) return; // already followed (an IKE message came from it first)
    this.ports.log('debug', `kernel MAPPING: ESP of CHILD SA ${spi} arrives from ${to}`, name);
    void owner.followMapping({ address: event.newSrc, port: event.newSrcPort });
  }
}
