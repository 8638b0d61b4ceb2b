export * from './transport.js';
export * from './non-esp-marker.js';
export { UdpTransport, interfaceAddresses, type SocketHook, type SocketInfo, type SocketRole, type UdpTransportOptions } from './udp-transport.js';
export { MemoryTransport, VirtualNetwork, type Fate, type FaultHook } from './memory-transport.js';
