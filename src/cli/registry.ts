// One line per command: `registerCommand(name, () => import(file))`.
// Each area adds its own lines here.
import { registerCommand } from './commands.js';

void registerCommand;
registerCommand('start', () => import('./start.js').then((m) => m.startCommand));
registerCommand('stop', () => import('./stop.js').then((m) => m.stopCommand));
registerCommand('restart', () => import('./restart.js').then((m) => m.restartCommand));
registerCommand('reload', () => import('./reload.js').then((m) => m.reloadCommand));
registerCommand('rereadsecrets', () => import('./rereadsecrets.js').then((m) => m.rereadSecretsCommand));
registerCommand('up', () => import('./up.js').then((m) => m.upCommand));
registerCommand('down', () => import('./down.js').then((m) => m.downCommand));
registerCommand('route', () => import('./route.js').then((m) => m.routeCommand));
registerCommand('unroute', () => import('./route.js').then((m) => m.unrouteCommand));
registerCommand('rekey', () => import('./rekey.js').then((m) => m.rekeyCommand));
registerCommand('status', () => import('./status.js').then((m) => m.statusCommand));
registerCommand('statusall', () => import('./status.js').then((m) => m.statusAllCommand));
registerCommand('check', () => import('./check.js').then((m) => m.checkCommand));
registerCommand('show-config', () => import('./show-config.js').then((m) => m.showConfigCommand));
registerCommand('verify', () => import('./verify.js').then((m) => m.verifyCommand));
registerCommand('pki', () => import('./pki.js').then((m) => m.pkiCommand));
registerCommand('install-service', () => import('./install-service.js').then((m) => m.installServiceCommand));
