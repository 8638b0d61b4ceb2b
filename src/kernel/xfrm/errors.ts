// Kernel failures -> KernelError with a stable code and a message an admin
// can act on. The kernel's extended-ack text is kept when it says more.
import { KernelError } from '../backend.js';
import { NetlinkError } from '../netlink/socket.js';

export interface ErrorContext {
  /** What we were doing, e.g. "add SA esp spi 0x1234 to 192.0.2.2". */
  action: string;
  /** For SA requests: the protocol and family (for the missing-module hint). */
  proto?: 'esp' | 'ah';
  family?: 4 | 6;
  /** Algorithm names in the request (for the missing-algorithm hint). */
  algorithms?: string[];
}

const CODES: Record<string, string> = {
  EEXIST: 'KERNEL_EEXIST',
  ENOENT: 'KERNEL_ENOENT',
  ESRCH: 'KERNEL_ESRCH',
  EINVAL: 'KERNEL_EINVAL',
  EPERM: 'KERNEL_EPERM',
  EACCES: 'KERNEL_EPERM',
  ENOBUFS: 'KERNEL_ENOBUFS',
};

/** The one line `ipsec verify` and error messages use for a kernel without ESP/AH. */
export function noProtocolSupportMessage(proto: 'esp' | 'ah', family: 4 | 6 = 4): string {
  const option = proto === 'esp' ? (family === 6 ? 'CONFIG_INET6_ESP' : 'CONFIG_INET_ESP') : family === 6 ? 'CONFIG_INET6_AH' : 'CONFIG_INET_AH';
  const module = `${proto}${family === 6 ? 6 : 4}`;
  return `this kernel has no ${proto.toUpperCase()} support (${option} / ${module} module)`;
}

export function toKernelError(err: unknown, ctx: ErrorContext): Error {
  if (err instanceof KernelError) return err;
  if (!(err instanceof NetlinkError)) {
    const e = err as { code?: string; message?: string };
    return new KernelError('KERNEL_IO', e.code ?? 'EIO', `${ctx.action}: ${e.message ?? String(err)}`);
  }
  const detail = err.kernelMessage ? ` (kernel: ${err.kernelMessage})` : '';
  if (ctx.proto && (err.errno === 'EPROTONOSUPPORT' || /requested type not found/i.test(err.kernelMessage ?? ''))) {
    return new KernelError('KERNEL_NO_PROTOCOL', err.errno, `${ctx.action}: ${noProtocolSupportMessage(ctx.proto, ctx.family)}`);
  }
  if (err.errno === 'ENOSYS' && ctx.algorithms?.length) {
    return new KernelError(
      'KERNEL_NO_ALGORITHM',
      err.errno,
      `${ctx.action}: the kernel lacks one of the algorithms ${ctx.algorithms.join(', ')} (crypto module not available)${detail}`,
    );
  }
  if (err.errno === 'EPERM' || err.errno === 'EACCES') {
    return new KernelError('KERNEL_EPERM', err.errno, `${ctx.action}: permission denied (needs root or CAP_NET_ADMIN) (${err.errno})${detail}`);
  }
  const text: Record<string, string> = {
    EEXIST: 'already exists',
    ENOENT: 'not found',
    ESRCH: 'not found',
    EINVAL: 'rejected as invalid',
    ENOBUFS: 'kernel buffer full',
  };
  return new KernelError(CODES[err.errno] ?? `KERNEL_${err.errno}`, err.errno, `${ctx.action}: ${text[err.errno] ?? 'failed'} (${err.errno})${detail}`);
}
