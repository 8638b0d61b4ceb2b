// Entry points of the config layer: read ipsec.conf (or its YAML form) and
// ipsec.secrets into the model, with every problem collected.
import { type Diagnostic, Diagnostics } from './diagnostics.js';
import { type FileSource, nodeFileSource } from './files.js';
import { buildModel } from './build-model.js';
import { type CaModel, type ConfigModel, type ConnModel } from './model.js';
import { parseConf } from './parser.js';
import { resolve } from './resolve.js';
import { parseSecrets, type SecretsModel } from './secrets.js';
import { yamlToModel } from './yaml-config.js';

export interface LoadResult<T> {
  /** The model; present even with errors (best effort), absent only when nothing could be read. */
  model: T | undefined;
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

export interface LoadOptions {
  source?: FileSource;
  /** Text to use instead of reading `file` (the name is still used in messages). */
  text?: string;
}

function finish<T>(model: T | undefined, diags: Diagnostics, files: readonly string[] = []): LoadResult<T> {
  return { model, diagnostics: diags.sorted(files), errors: diags.errorCount, warnings: diags.warningCount };
}

export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

function confToModel(file: string, src: FileSource, diags: Diagnostics, text?: string, files: string[] = []): ConfigModel {
  const ast = parseConf(file, src, diags, text);
  files.push(file, ...ast.files);
  return buildModel(resolve(ast, diags), diags);
}

/** A conn / ca with nothing set: every default, built by the ipsec.conf pipeline itself. */
export const templates = {
  conn(name: string): ConnModel {
    const m = confToModel('<defaults>', nodeFileSource, new Diagnostics(), `conn ${name}\n`);
    const c = m.conns[0];
    if (!c) throw new Error('default conn could not be built');
    return c;
  },
  ca(name: string): CaModel {
    const m = confToModel('<defaults>', nodeFileSource, new Diagnostics(), `ca ${name}\n`);
    const c = m.cas[0];
    if (!c) throw new Error('default ca could not be built');
    return c;
  },
};

export function loadConfig(file: string, options: LoadOptions = {}): LoadResult<ConfigModel> {
  const src = options.source ?? nodeFileSource;
  const diags = new Diagnostics();
  if (isYamlFile(file)) {
    let text = options.text;
    if (text === undefined) {
      try {
        text = src.read(file);
      } catch (err) {
        const code = (err as { code?: string }).code;
        diags.error({ file, line: 1, col: 1 }, 'read-failed', `cannot read '${file}': ${code === 'ENOENT' ? 'no such file' : String(err)}`);
        return finish<ConfigModel>(undefined, diags);
      }
    }
    return finish(yamlToModel(file, text, templates, diags), diags);
  }
  const files: string[] = [];
  const model = confToModel(file, src, diags, options.text, files);
  return finish(model, diags, files);
}

export function loadSecrets(file: string, options: LoadOptions = {}): LoadResult<SecretsModel> {
  const diags = new Diagnostics();
  const model = parseSecrets(file, options.source ?? nodeFileSource, diags, options.text);
  return finish(model, diags);
}
