/**
 * Structural hash of a subgraph (a list of op ids): op kinds, attributes, output shapes and dtypes, how the ops
 * are wired to each other, and which inputs come from outside (by shape, dtype and kind, numbered by first use).
 * Ids, names and paths do not enter it, so two identical transformer layers hash equal and the planner solves
 * each distinct layer once.
 */
import type { ModelGraph, Op, OpAttrs, Tensor } from './types.ts';
import { groupLayers } from './layers.ts';

/** Canonical text of the subgraph; equal text <=> equal structure. Exposed for tests and debugging. */
export function structuralKey(graph: Pick<ModelGraph, 'ops' | 'tensors'>, opIds: readonly string[], index: GraphIndex = indexGraph(graph)): string {
  const { tensors, ops: opsById } = index;
  const internal = new Map<string, string>(); // tensor id -> 'o<k>.<j>'
  const external = new Map<string, string>(); // tensor id -> 'x<n>'
  const parts: string[] = [];
  opIds.forEach((opId, k) => {
    const op = opsById.get(opId);
    if (!op) {
      parts.push(`missing`);
      return;
    }
    const ins = op.inputs.map((t) => {
      const own = internal.get(t);
      if (own) return own;
      let ext = external.get(t);
      if (!ext) {
        const tensor = tensors.get(t);
        ext = `x${external.size}:${tensor ? describe(tensor) : '?'}`;
        external.set(t, ext);
        return ext;
      }
      return ext.slice(0, ext.indexOf(':'));
    });
    const outs = op.outputs.map((t, j) => {
      internal.set(t, `o${k}.${j}`);
      const tensor = tensors.get(t);
      return tensor ? describe(tensor) : '?';
    });
    parts.push(`${op.kind}|${op.phase}|${attrsKey(op.attrs)}|${ins.join(',')}|${outs.join(',')}`);
  });
  return parts.join('\n');
}

/** 64-bit structural hash as 16 hex digits. */
export function structuralHash(graph: Pick<ModelGraph, 'ops' | 'tensors'>, opIds: readonly string[], index?: GraphIndex): string {
  return hashString(structuralKey(graph, opIds, index));
}

/** The hash of every layer group of the graph (embedding, blocks, head), in order. */
export function layerHashes(graph: Pick<ModelGraph, 'ops' | 'tensors'>): { name: string; hash: string; opIds: readonly string[] }[] {
  const index = indexGraph(graph);
  return groupLayers(graph).map((g) => ({ name: g.name, hash: structuralHash(graph, g.opIds, index), opIds: g.opIds }));
}

/** Lookup tables over a graph; build once when hashing many subgraphs of it. */
export interface GraphIndex {
  readonly tensors: ReadonlyMap<string, Tensor>;
  readonly ops: ReadonlyMap<string, Op>;
}

export function indexGraph(graph: Pick<ModelGraph, 'ops' | 'tensors'>): GraphIndex {
  const tensors = new Map<string, Tensor>();
  for (const t of graph.tensors) tensors.set(t.id, t);
  const ops = new Map<string, Op>();
  for (const op of graph.ops) ops.set(op.id, op);
  return { tensors, ops };
}

function describe(t: Tensor): string {
  return `${t.kind}:${t.dtype}[${t.shape.join('x')}]b${t.batchDim ?? '-'}`;
}

/** Attributes as JSON with sorted keys (attrs are plain data). */
function attrsKey(attrs: OpAttrs): string {
  return JSON.stringify(attrs, Object.keys(attrs).sort());
}

/** Two independent 32-bit FNV-1a style lanes, mixed; deterministic across runtimes. */
export function hashString(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b) ^ Math.imul(h2, 0xc2b2ae35);
  h2 = Math.imul(h2 ^ (h2 >>> 13), 0x27d4eb2d) ^ h1;
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
