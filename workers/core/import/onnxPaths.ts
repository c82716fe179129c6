/** Layer paths for ONNX nodes: from the torch exporter's name scopes, or from '/'-separated node names. */
import type { NodeProto } from 'onnx-buf';

/** Container names the layer grouping reads as blocks when followed by an index ('h.3', 'layers.3'). */
const LAYER_WORDS = new Set(['h', 'layer', 'layers', 'block', 'blocks']);

/** Splits ['', 'm', 'm.transformer', 'm.transformer.h.3', 'addmm'] into ['m', 'transformer', 'h.3', 'addmm']. */
function scopesToSegments(scopes: readonly string[]): string[] {
  const segs: string[] = [];
  let prev = '';
  for (const scope of scopes) {
    if (!scope) continue;
    const seg = prev && scope.startsWith(`${prev}.`) ? scope.slice(prev.length + 1) : scope;
    // A ModuleList index joins its parent: 'h' + '3' -> 'h.3'; other containers ('layer1' + '0', ResNet stages)
    // become 'layer1/block.0' so that every block has a segment the layer grouping recognises.
    const joined = /^\d+$/.test(seg) && segs.length ? `${segs.pop()!}.${seg}` : seg;
    const m = /^(.+)\.(\d+)$/.exec(joined);
    if (m && !LAYER_WORDS.has(m[1]!)) segs.push(m[1]!, `block.${m[2]!}`);
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

export function onnxLayerPath(root: string, node: NodeProto): string {
  const scopes = node.metadataProps.find((p) => p.key === 'pkg.torch.onnx.name_scopes')?.value;
  const parsed = scopes ? parseScopes(scopes) : undefined;
  if (parsed && parsed.length) return [root, ...scopesToSegments(parsed)].join('/');
  if (node.name.includes('/')) return [root, ...node.name.split('/').filter((s) => s)].join('/');
  return `${root}/${node.name || node.opType}`;
}
