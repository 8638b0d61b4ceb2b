export * from './protocol.js';
export { ControlClient, type ControlClientOptions } from './client.js';
export { ControlServer, type ControlHandlers, type ControlServerOptions } from './server.js';
export { prepareRunDir, resolveGroup, socketIsLive } from './secure-path.js';
