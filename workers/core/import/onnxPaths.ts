/** Layer paths for ONNX nodes: from the torch exporter's name scopes, or from '/'-separated node names. */
import type { NodeProto } from 'onnx-buf';

/** Container names the layer grouping reads as blocks when followed by an index ('h.3', 'layers.3'). */
const LAYER_WORDS = new Set(['h', 'layer', 'layers', 'block', 'blocks']);

/**
 * Splits ['', 'm', 'm.transformer', 'm.transformer.h.3', 'addmm'] into ['m', 'transformer', 'h.3', 'addmm'].
 * `synthesize`: other indexed containers become blocks too; only for models that name no layer container of their
 * own (ResNet's 'layer1.0'). Where the model does (ConvNeXt 'stages.1.layers.0'), 'stages.1' and
 * 'downsampling_layer.0' stay plain segments, so the blocks are the model's 'layers.N'.
 */
function scopesToSegments(scopes: readonly string[], synthesize: boolean): string[] {
  const segs: string[] = [];
  let prev = '';
  for (const scope of scopes) {
    if (!scope) continue;
    const seg = prev && scope.startsWith(`${prev}.`) ? scope.slice(prev.length + 1) : scope;
    // A ModuleList index joins its parent: 'h' + '3' -> 'h.3'; other containers ('layer1' + '0', ResNet stages)
    // become 'layer1/block.0' so that every block has a segment the layer grouping recognises.
    const joined = /^\d+$/.test(seg) && segs.length ? `${segs.pop()!}.${seg}` : seg;
    const m = /^(.+)\.(\d+)$/.exec(joined);
    if (m && synthesize && !LAYER_WORDS.has(m[1]!)) segs.push(m[1]!, `block.${m[2]!}`);
    else segs.push(joined);
    prev = scope;
  }
  return segs;
}

function parseScopes(text: string): string[] | undefined {
  const body = text.trim();
  if (!body.startsWith('[') || !body.endsWith(']')) return undefined;
  const out: string[] = [];
  const re = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(body); m; m = re.exec(body)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

function scopesOf(node: NodeProto): string[] | undefined {
  const scopes = node.metadataProps.find((p) => p.key === 'pkg.torch.onnx.name_scopes')?.value;
  // Subgraphs of torch.cond name their modules from torch.export's wrapper: '_export_root.layers.0' is 'layers.0'.
  const parsed = scopes ? parseScopes(scopes)?.map((s) => s.replace(/^_export_root(\.|$)/, '')) : undefined;
  return parsed && parsed.length ? parsed : undefined;
}

/** Whether some node's module path names an indexed layer container ('model.layers.3', 'encoder.block.0'). */
function namesLayerContainers(nodes: readonly NodeProto[]): boolean {
  for (const node of nodes) {
    for (const scope of scopesOf(node) ?? []) {
      const m = /(?:^|\.)([^.]+)\.\d+$/.exec(scope);
      if (m && LAYER_WORDS.has(m[1]!)) return true;
    }
  }
  return false;
}

/** 'transformer.h.1.attn.c_attn.weight' -> the module scopes ['transformer', 'transformer.h', ..., 'transformer.h.1.attn.c_attn']. */
function moduleScopes(param: string): string[] {
  const parts = param.split('.').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/**
 * Layer path of each node of one graph (scopes read once for the whole graph: see scopesToSegments). A node with
 * neither scopes nor a '/' path (onnxruntime's fused SkipLayerNormalization, FastGelu, its FullyConnect_MatMul_N)
 * sits in the module of the first weight it reads, when that weight is named by its module path.
 */
export function onnxLayerPaths(root: string, nodes: readonly NodeProto[], moduleParams: ReadonlySet<string> = new Set()): (node: NodeProto) => string {
  const synthesize = !namesLayerContainers(nodes);
  return (node) => {
    const parsed = scopesOf(node);
    if (parsed) return [root, ...scopesToSegments(parsed, synthesize)].join('/');
    if (node.name.includes('/')) return [root, ...node.name.split('/').filter((s) => s)].join('/');
    const weight = node.input.find((i) => moduleParams.has(i));
    if (weight) return [root, ...scopesToSegments(moduleScopes(weight), synthesize), node.name || node.opType].join('/');
    return `${root}/${node.name || node.opType}`;
  };
}
