// Reverse lookup for the IANA tables in this folder: id -> RFC name. The
// maps are built once from constant data and never mutated.

export type NameTable = Readonly<Record<string, number>>;

export function reverseTable(table: NameTable): ReadonlyMap<number, string> {
  const m = new Map<number, string>();
  // First name wins, so a table can list a newer alias after the RFC name.
  for (const [name, id] of Object.entries(table)) if (!m.has(id)) m.set(id, name);
  return m;
}

/** `NAME` for a registered id, `PREFIX#id` otherwise (still readable in logs). */
export function nameOrNumber(map: ReadonlyMap<number, string>, id: number, prefix: string): string {
  return map.get(id) ?? `${prefix}#${id}`;
}
