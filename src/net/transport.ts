// The datagram transport seam between the IKE core and the network. The
// core receives and sends `Datagram`s; it never sees sockets, the NAT-T
// non-ESP marker or keepalives (the transport handles those).

export interface Endpoint {
  address: string; // textual IPv4 or IPv6, no brackets, no zone
  port: number;
}

export interface Datagram {
  /** Our side: the address and port the datagram arrived on / leaves from. */
  local: Endpoint;
  /** The peer. */
  remote: Endpoint;
  /** One IKE message (on port 4500 without the 4-octet non-ESP marker). */
  bytes: Buffer;
}

export type DatagramHandler = (datagram: Datagram) => void;

/** What a transport counted: traffic, ignored keepalives, drops by reason. */
export interface TransportCounters {
  received: number;
  sent: number;
  /** NAT-T keepalives (a single 0xFF octet on port 4500), ignored. */
  keepalives: number;
  /** Dropped datagrams by reason, e.g. `esp-on-natt-socket`. */
  drops: Record<string, number>;
}

export interface DatagramTransport {
  /** Binds the sockets; resolves once every socket is listening. */
  start(): Promise<void>;
  /** Sets the receiver of inbound IKE datagrams (one receiver). */
  onDatagram(handler: DatagramHandler): void;
  /**
   * Sends one IKE message. `local.port` picks the socket (500 or 4500) and
   * `local.address` the source address when we are bound to it; an
   * unspecified address ("0.0.0.0"/"::") lets the kernel choose.
   */
  send(datagram: Datagram): Promise<void>;
  /** What we listen on, e.g. ["192.0.2.1[500]", "[::][4500]"]. */
  listening(): Endpoint[];
  counters(): TransportCounters;
  /** Follows interface address changes, where the transport can (optional). */
  refresh?(): Promise<{ added: string[]; removed: string[] }>;
  close(): Promise<void>;
}

/** `192.0.2.1[500]` / `2001:db8::1[4500]`, the status output's spelling. */
export function formatEndpoint(endpoint: Endpoint): string {
  return `${endpoint.address}[${endpoint.port}]`;
}

export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}
