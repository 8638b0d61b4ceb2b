// errno numbers as the kernel returns them (negated in NLMSG_ERROR) -> names.
import { constants } from 'node:os';

const names = new Map<number, string>(
  Object.entries(constants.errno).map(([name, value]) => [value, name] as [number, string]),
);

export function errnoName(errno: number): string {
  return names.get(Math.abs(errno)) ?? `E${Math.abs(errno)}`;
}
