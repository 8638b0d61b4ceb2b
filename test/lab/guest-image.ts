// The kernel lab's boot artifacts: an uncompressed vmlinux extracted from
// Debian's bzImage (booted directly through its PVH entry, which skips the
// firmware and ~3 s of in-guest xz decompression) and a busybox initramfs
// holding guest-init.sh plus the modules that reach the host root over 9p.
// Both are built once and cached; the initramfs name carries a hash of its
// inputs so an edited init script or kernel update rebuilds it.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export class LabSetupError extends Error {
  readonly code = 'LAB_SETUP';
}

export interface GuestImage {
  kernelVersion: string;
  vmlinux: string;
  initramfs: string;
}

const labDir = dirname(fileURLToPath(import.meta.url));
const busyboxPath = '/bin/busybox';
// Everything else they need follows from modules.dep.
const bootModules = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];

export function defaultCacheDir(): string {
  return process.env.NODESWAN_LAB_CACHE ?? join(labDir, '..', '..', '.lab-cache');
}

/**
 * Picks the kernel to boot: NODESWAN_LAB_KERNEL (a version such as
 * 6.1.0-56-amd64) or the newest /boot/vmlinuz-* whose modules include ESP.
 */
export function findKernelVersion(): string {
  const wanted = process.env.NODESWAN_LAB_KERNEL;
  const candidates = wanted
    ? [wanted]
    : readdirSafe('/boot')
        .filter((name) => name.startsWith('vmlinuz-'))
        .map((name) => name.slice('vmlinuz-'.length))
        .sort(compareVersions)
        .reverse();
  for (const version of candidates) {
    if (existsSync(`/boot/vmlinuz-${version}`) && hasModule(version, 'esp4')) return version;
  }
  throw new LabSetupError(
    wanted
      ? `kernel lab: /boot/vmlinuz-${wanted} or its ESP module (/lib/modules/${wanted}) is missing`
      : 'kernel lab: no /boot/vmlinuz-* with ESP modules found; install linux-image-amd64 (see .ci/run)',
  );
}

export function prepareGuestImage(cacheDir = defaultCacheDir()): GuestImage {
  for (const [path, pkg] of [
    [busyboxPath, 'busybox-static'],
    ['/usr/bin/cpio', 'cpio'],
    ['/usr/bin/xz', 'xz-utils'],
  ] as const) {
    if (!existsSync(path)) throw new LabSetupError(`kernel lab: ${path} is missing; install ${pkg} (see .ci/run)`);
  }
  const kernelVersion = findKernelVersion();
  const dir = join(cacheDir, kernelVersion);
  mkdirSync(dir, { recursive: true });

  const vmlinux = join(dir, 'vmlinux');
  if (!existsSync(vmlinux)) atomicWrite(vmlinux, extractVmlinux(`/boot/vmlinuz-${kernelVersion}`));

  const modules = moduleLoadOrder(kernelVersion, bootModules);
  const initScript = readFileSync(join(labDir, 'guest-init.sh'));
  const busybox = statSync(busyboxPath);
  const key = createHash('sha256')
    .update(initScript)
    .update(modules.map((m) => m.path).join('\n'))
    .update(`${busybox.size}:${busybox.mtimeMs}`)
    .digest('hex')
    .slice(0, 16);
  const initramfs = join(dir, `initramfs-${key}.cpio`);
  if (!existsSync(initramfs)) atomicWrite(initramfs, buildInitramfs(dir, initScript, modules));
  return { kernelVersion, vmlinux, initramfs };
}

/** Finds each xz stream in the bzImage and keeps the one that inflates to an ELF file. */
function extractVmlinux(bzImage: string): Buffer {
  const image = readFileSync(bzImage);
  const xzMagic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  for (let at = image.indexOf(xzMagic); at >= 0; at = image.indexOf(xzMagic, at + 1)) {
    // xz complains about the trailing bytes after the stream; the output is whole.
    const result = spawnSync('xz', ['-dc'], { input: image.subarray(at), maxBuffer: 1 << 30 });
    const out = result.stdout;
    if (out && out.length > 4 && out.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return out;
  }
  throw new LabSetupError(`kernel lab: found no xz-compressed ELF kernel inside ${bzImage}`);
}

interface ModuleFile {
  name: string;
  path: string;
}

/** The modules and their dependencies, each after everything it needs. */
function moduleLoadOrder(kernelVersion: string, roots: string[]): ModuleFile[] {
  const base = `/lib/modules/${kernelVersion}`;
  const deps = new Map<string, string[]>();
  for (const line of readFileSync(join(base, 'modules.dep'), 'utf8').split('\n')) {
    const [path, rest] = line.split(':');
    if (!path || rest === undefined) continue;
    deps.set(path, rest.trim() ? rest.trim().split(/\s+/) : []);
  }
  const byName = new Map<string, string>();
  for (const path of deps.keys()) byName.set(moduleName(path), path);

  const ordered: ModuleFile[] = [];
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const dep of deps.get(path) ?? []) visit(dep);
    if (!path.endsWith('.ko')) {
      throw new LabSetupError(`kernel lab: ${path} is compressed; the initramfs loads plain .ko files only`);
    }
    ordered.push({ name: moduleName(path), path: join(base, path) });
  };
  for (const root of roots) {
    const path = byName.get(root);
    if (!path) throw new LabSetupError(`kernel lab: module ${root} not found for kernel ${kernelVersion}`);
    visit(path);
  }
  return ordered;
}

function buildInitramfs(workDir: string, initScript: Buffer, modules: ModuleFile[]): Buffer {
  const stage = mkdtempSync(join(workDir, 'initramfs-stage-'));
  try {
    for (const dir of ['bin', 'modules', 'proc', 'sys', 'dev']) mkdirSync(join(stage, dir));
    copyFileSync(busyboxPath, join(stage, 'bin', 'busybox'));
    chmodSync(join(stage, 'bin', 'busybox'), 0o755);
    writeFileSync(join(stage, 'init'), initScript, { mode: 0o755 });
    for (const module of modules) copyFileSync(module.path, join(stage, 'modules', `${module.name}.ko`));
    writeFileSync(join(stage, 'modules', 'order'), modules.map((m) => m.name).join('\n') + '\n');
    const result = spawnSync('sh', ['-c', 'find . -print0 | cpio --null -o -H newc --quiet'], {
      cwd: stage,
      maxBuffer: 1 << 28,
    });
    if (result.status !== 0) {
      throw new LabSetupError(`kernel lab: cpio failed: ${result.stderr.toString().trim()}`);
    }
    return result.stdout;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function hasModule(kernelVersion: string, name: string): boolean {
  try {
    return readFileSync(`/lib/modules/${kernelVersion}/modules.dep`, 'utf8')
      .split('\n')
      .some((line) => moduleName(line.split(':')[0] ?? '') === name);
  } catch {
    return false;
  }
}

function moduleName(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  return file.replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

function atomicWrite(path: string, data: Buffer): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
