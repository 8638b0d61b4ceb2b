// One line per command: `registerCommand(name, () => import(file))`.
// Each area adds its own lines here.
import { registerCommand } from './commands.js';

void registerCommand;
