/** Sharding specs as the intra-op pass writes them ('S0R', 'RS1', 'S01RR', 'R'), read on an (n0, n1) mesh. */

const SPEC_TOKEN = /S01|S0|S1|R/g;

/** Devices a tensor of this spec is split over on an (n0, n1) mesh. */
export function specTiles(spec: string, mesh: readonly [number, number]): number {
  let tiles = 1;
  for (const tok of spec.match(SPEC_TOKEN) ?? []) {
    if (tok === 'S0') tiles *= mesh[0];
    else if (tok === 'S1') tiles *= mesh[1];
    else if (tok === 'S01') tiles *= mesh[0] * mesh[1];
  }
  return tiles;
}

/** Mesh axes (of size > 1) a tensor of this spec is replicated over. */
export function specReplicatedAxes(spec: string, mesh: readonly [number, number]): (0 | 1)[] {
  const used = new Set<number>();
  for (const tok of spec.match(SPEC_TOKEN) ?? []) {
    if (tok === 'S0' || tok === 'S01') used.add(0);
    if (tok === 'S1' || tok === 'S01') used.add(1);
  }
  return ([0, 1] as const).filter((a) => mesh[a] > 1 && !used.has(a));
}

/** The spec's token per tensor dim ('S0RS1' -> ['S0', 'R', 'S1']). */
export function specDims(spec: string): string[] {
  return spec.match(SPEC_TOKEN) ?? [];
}
