/** Layer paths for ONNX nodes: from the torch exporter's name scopes, or from '/'-separated node names. */
import type { NodeProto } from 'onnx-buf';

/** Splits ['', 'm', 'm.transformer', 'm.transformer.h.3', 'addmm'] into ['m', 'transformer', 'h.3', 'addmm']. */
function scopesToSegments(scopes: readonly string[]): string[] {
  const segs: string[] = [];
  let prev = '';
  for (const scope of scopes) {
    if (!scope) continue;
    const seg = prev && scope.startsWith(`${prev}.`) ? scope.slice(prev.length + 1) : scope;
    // A ModuleList index ('3' under 'h') joins its parent so layers read 'h.3', 'layer1.0'.
    if (/^\d+$/.test(seg) && segs.length) segs[segs.length - 1] = `${segs[segs.length - 1]}.${seg}`;
    else segs.push(seg);
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
