/** Graph-level facts of an ONNX model: node order, and which initializers are trainable parameters. */
import type { GraphProto, NodeProto, TensorProto, ValueInfoProto } from 'onnx-buf';
import { fail } from './errors.ts';

/** Orders nodes so that every input is produced before use (exporters usually do; fuzzed files may not). */
export function topoOrder(nodes: readonly NodeProto[]): NodeProto[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output.forEach((o) => { if (o) producer.set(o, i); }));
  const state = new Uint8Array(nodes.length);
  const order: NodeProto[] = [];
  for (let start = 0; start < nodes.length; start++) {
    if (state[start]) continue;
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const node = nodes[top[0]]!;
      if (top[1] < node.input.length) {
        const dep = producer.get(node.input[top[1]++]!);
        if (dep === undefined || state[dep] === 2) continue;
        if (state[dep] === 1) fail('onnx', `the graph has a cycle through node '${node.name || node.opType}'`, { node: node.name });
        state[dep] = 1;
        stack.push([dep, 0]);
      } else {
        state[top[0]] = 2;
        order.push(node);
        stack.pop();
      }
    }
  }
  return order;
}

/** Every node of a graph and of its subgraphs (If branches, Loop and Scan bodies), depth first. */
export function allNodes(g: GraphProto): NodeProto[] {
  const out: NodeProto[] = [];
  const walk = (graph: GraphProto) => {
    for (const n of graph.node) {
      out.push(n);
      for (const a of n.attribute) { if (a.g) walk(a.g); a.graphs.forEach(walk); }
    }
  };
  walk(g);
  return out;
}

/** The branch an If takes when its condition is known (a folded constant), else undefined. */
export function chosenBranch(node: NodeProto, cond: readonly number[] | undefined): GraphProto | undefined {
  if (!cond || cond.length !== 1) return undefined;
  return node.attribute.find((a) => a.name === (cond[0] ? 'then_branch' : 'else_branch'))?.g;
}

const SPEC_KEY = 'pkg.torch.export.graph_signature.InputSpec.kind';
/** Ops that pass a weight through unchanged in content (a folded transpose of a weight is still that weight). */
const PASS_THROUGH = new Set(['Transpose', 'Reshape', 'Cast', 'CastLike', 'Unsqueeze', 'Squeeze', 'Identity', 'Flatten', 'Split']);
/** Operand slots that hold weights: any input of the contractions, a Gather's table, a norm's scale and bias. */
function weightSlot(node: NodeProto, index: number): boolean {
  switch (node.opType) {
    case 'MatMul': case 'Gemm': case 'Conv': case 'ConvTranspose': case 'Einsum': case 'MatMulInteger': case 'FusedMatMul': return true;
    case 'Gather': case 'GatherElements': case 'GatherND': return index === 0;
    case 'LayerNormalization': case 'BatchNormalization': case 'InstanceNormalization': case 'GroupNormalization':
    case 'RMSNormalization': case 'SimplifiedLayerNormalization': case 'SkipLayerNormalization': case 'SkipSimplifiedLayerNormalization':
    case 'PRelu': return index >= 1;
    default: return false;
  }
}

/** A torch module path ('model.layers.0.mlp.up_proj.weight'), as both exporters name untransformed parameters. */
const MODULE_PATH = /^[A-Za-z_]\w*(\.\w+)+$/;

/**
 * Which float initializers are trainable parameters. The torch dynamo exporter marks each with its InputSpec kind
 * (PARAMETER / BUFFER); initializers it does not mark were made by its optimizer (a weight's folded transpose,
 * or a folded buffer such as a rotary cos table). Without marks (TorchScript export, other tools) a float
 * initializer is a parameter when it is named like a module path, is a vector (a norm scale or bias, also when
 * folded: Gemma's 1 + weight), or feeds a weight slot of a contraction, Gather table or norm, directly or through
 * reshapes and transposes; everything else (scalars, masks, rotary tables [1, 1, S, d]) is a constant.
 */
export function parameterNames(g: GraphProto, vi: ReadonlyMap<string, ValueInfoProto>): Set<string> {
  const specOf = (t: TensorProto) => vi.get(t.name)?.metadataProps.find((p) => p.key === SPEC_KEY)?.value ?? t.metadataProps.find((p) => p.key === SPEC_KEY)?.value;
  const consumers = new Map<string, [NodeProto, number][]>();
  for (const n of allNodes(g)) n.input.forEach((name, i) => { if (name) consumers.set(name, [...(consumers.get(name) ?? []), [n, i]]); });
  const feedsWeight = (name: string, depth: number): boolean => depth < 8 && (consumers.get(name) ?? []).some(([n, i]) =>
    weightSlot(n, i) || (PASS_THROUGH.has(n.opType) && i === 0 && n.output.some((o) => o && feedsWeight(o, depth + 1))));
  const params = new Set<string>();
  const subgraphInits = allNodes(g).flatMap((n) => n.attribute.flatMap((a) => [...(a.g ? [a.g] : []), ...a.graphs]).flatMap((sg) => sg.initializer));
  for (const t of [...g.initializer, ...subgraphInits]) {
    const spec = specOf(t);
    if (spec) { if (spec === 'PARAMETER') params.add(t.name); continue; }
    if (!isFloatCode(t.dataType)) continue;
    const vector = t.dims.length === 1 && Number(t.dims[0]) > 1;
    if (/inv_freq$/.test(t.name)) continue;
    if (MODULE_PATH.test(t.name) || vector || feedsWeight(t.name, 0)) params.add(t.name);
  }
  dropTiedCopies([...g.initializer, ...subgraphInits].filter((t) => params.has(t.name) && !specOf(t)), params);
  return params;
}

/**
 * Tied weights through TorchScript's constant folding: Whisper's proj_out is embed_tokens, so the exporter keeps
 * embed_tokens.weight [V, d] for the Gather and folds its Transpose into a new, anonymous [d, V] initializer. A
 * weightless file cannot tell that from an untied head (Llama's lm_head folds the same way); a file with its
 * weights inline can: an anonymous matrix whose bytes equal a named parameter's, transposed or not, is that
 * parameter, counted once.
 */
function dropTiedCopies(inits: readonly TensorProto[], params: Set<string>): void {
  const named = inits.filter((t) => MODULE_PATH.test(t.name) && t.dims.length === 2 && t.rawData.byteLength > 0);
  for (const t of inits) {
    if (MODULE_PATH.test(t.name) || t.dims.length !== 2 || t.rawData.byteLength === 0) continue;
    const [r, c] = t.dims.map(Number) as [number, number];
    const twin = named.find((n) => n.dataType === t.dataType && n.rawData.byteLength === t.rawData.byteLength &&
      ((Number(n.dims[0]) === c && Number(n.dims[1]) === r && sameTransposed(t.rawData, n.rawData, r, c)) ||
       (Number(n.dims[0]) === r && Number(n.dims[1]) === c && sameBytes(t.rawData, n.rawData))));
    if (twin) params.delete(t.name);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** a [r, c] equals b [c, r] transposed, element by element (element size from the byte length). */
function sameTransposed(a: Uint8Array, b: Uint8Array, r: number, c: number): boolean {
  const size = a.length / (r * c);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const ai = (i * c + j) * size, bi = (j * r + i) * size;
      for (let k = 0; k < size; k++) if (a[ai + k] !== b[bi + k]) return false;
    }
  }
  return true;
}

/** ONNX float element types: FLOAT, FLOAT16, DOUBLE, BFLOAT16 and the 8-bit and 4-bit floats. */
function isFloatCode(code: number): boolean {
  return code === 1 || code === 10 || code === 11 || code === 16 || (code >= 17 && code <= 20) || code === 23;
}
