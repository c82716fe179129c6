/**
 * Layers recognised from op paths: a segment 'h.3', 'layers.3', 'layer.3', 'block.3' or 'blocks.3' (or the
 * pair 'layers/3') marks transformer/ResNet block 3. groupLayers() cuts a graph's ops, in order, into the
 * embedding (ops before the first block), one group per block, and the head (ops after the last block).
 */
import type { ModelGraph } from './types.ts';

export interface LayerRef {
  /** Block index as written in the path. */
  readonly index: number;
  /** The path prefix up to and including the layer segment, e.g. 'gpt/h.3'. */
  readonly prefix: string;
}

const LAYER_WORDS = new Set(['h', 'layer', 'layers', 'block', 'blocks']);
const DOTTED = /^(h|layers?|blocks?)\.(\d+)$/;

/** The layer an op path belongs to, or undefined for ops outside the repeated blocks. */
export function layerOf(path: string): LayerRef | undefined {
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const m = DOTTED.exec(segments[i]);
    if (m) return { index: Number(m[2]), prefix: segments.slice(0, i + 1).join('/') };
    if (LAYER_WORDS.has(segments[i]) && i + 1 < segments.length && /^\d+$/.test(segments[i + 1])) {
      return { index: Number(segments[i + 1]), prefix: segments.slice(0, i + 2).join('/') };
    }
  }
  return undefined;
}

export function layerIndexOf(path: string): number | undefined {
  return layerOf(path)?.index;
}

export interface LayerGroup {
  /** 'embedding', the block prefix (e.g. 'gpt/h.3') or 'head'. */
  readonly name: string;
  readonly kind: 'embedding' | 'block' | 'head';
  /** Block index for kind 'block'. */
  readonly layerIndex?: number;
  readonly opIds: readonly string[];
}

/**
 * Groups ops into layers in graph order. Ops without a layer segment between two blocks stay with the block
 * before them; a block whose prefix reappears after another block is a separate group (paths are not required
 * to be contiguous, but zoo and importers write them so).
 */
export function groupLayers(graph: Pick<ModelGraph, 'ops'>): LayerGroup[] {
  const groups: { name: string; kind: LayerGroup['kind']; layerIndex?: number; opIds: string[] }[] = [];
  const lastBlockOp = findLastBlockOp(graph);
  let current: (typeof groups)[number] | undefined;
  graph.ops.forEach((op, i) => {
    const layer = layerOf(op.path);
    if (layer) {
      if (!current || current.kind !== 'block' || current.name !== layer.prefix) {
        current = { name: layer.prefix, kind: 'block', layerIndex: layer.index, opIds: [] };
        groups.push(current);
      }
    } else if (!current) {
      current = { name: 'embedding', kind: 'embedding', opIds: [] };
      groups.push(current);
    } else if (current.kind === 'block' && i > lastBlockOp) {
      current = { name: 'head', kind: 'head', opIds: [] };
      groups.push(current);
    }
    current.opIds.push(op.id);
  });
  return groups;
}

function findLastBlockOp(graph: Pick<ModelGraph, 'ops'>): number {
  for (let i = graph.ops.length - 1; i >= 0; i--) if (layerOf(graph.ops[i].path)) return i;
  return -1;
}

/** Number of distinct blocks (layer prefixes) in the graph. */
export function countLayers(graph: Pick<ModelGraph, 'ops'>): number {
  const prefixes = new Set<string>();
  for (const op of graph.ops) {
    const l = layerOf(op.path);
    if (l) prefixes.add(l.prefix);
  }
  return prefixes.size;
}
