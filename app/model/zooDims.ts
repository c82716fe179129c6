/**
 * Zoo dimension sliders: which dimensions each family exposes. Each key is a field of the family's generator
 * config; the planner API builds the zoo model with them as `dims` overrides (workers/core/zoo zooModel).
 */

export interface DimSpec {
  readonly key: string;
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

const HIDDEN: DimSpec = { key: 'hidden', label: 'hidden', min: 256, max: 16384, step: 256 };
const LAYERS: DimSpec = { key: 'layers', label: 'layers', min: 1, max: 160, step: 1 };
const HEADS: DimSpec = { key: 'heads', label: 'heads', min: 1, max: 128, step: 1 };
const VOCAB: DimSpec = { key: 'vocab', label: 'vocab', min: 1024, max: 256000, step: 1024 };

export const FAMILY_DIMS: Readonly<Record<string, readonly DimSpec[]>> = {
  gpt: [HIDDEN, LAYERS, HEADS, VOCAB],
  llama: [HIDDEN, LAYERS, HEADS, { key: 'kvHeads', label: 'KV heads', min: 1, max: 128, step: 1 },
    { key: 'intermediate', label: 'MLP width', min: 512, max: 65536, step: 256 }, VOCAB],
  moe: [HIDDEN, LAYERS, HEADS, { key: 'experts', label: 'experts', min: 2, max: 256, step: 2 }, VOCAB],
};

/** The generator family of a zoo name ('gpt-2.6B' -> 'gpt', 'tinyllama-1.1B' -> 'llama'). */
export function zooFamily(name: string): string {
  return name.includes('llama') ? 'llama' : name.split('-')[0];
}
