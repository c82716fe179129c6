/** What a file holds, judged from its first bytes (never from its name). */
export type Sniffed = 'json' | 'mlir' | 'hlo' | 'onnx' | 'text' | 'binary' | 'empty';

export function sniff(data: Uint8Array): Sniffed {
  if (data.byteLength === 0) return 'empty';
  const head = data.subarray(0, 4096);
  let start = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) start = 3;
  while (start < head.length && (head[start] === 0x20 || head[start] === 0x0a || head[start] === 0x0d || head[start] === 0x09)) start++;
  let printable = 0;
  for (const b of head) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 0xc2) printable++;
  const text = printable / head.length > 0.97;
  if (text) {
    const c = head[start];
    if (c === 0x7b || c === 0x5b) return 'json';
    let ascii = '';
    for (const b of head.subarray(start)) ascii += String.fromCharCode(b);
    if (/^HloModule\s/.test(ascii)) return 'hlo';
    if (/^(module\b|func\.func\b|#|\/\/)/.test(ascii) || /\bfunc\.func\b|\bstablehlo\.|\bmhlo\./.test(ascii)) return 'mlir';
    return 'text';
  }
  // ModelProto starts with a small field tag: ir_version (0x08), or a string field (opset, producer, graph).
  if (head[0] === 0x08 || head[0] === 0x12 || head[0] === 0x1a || head[0] === 0x3a || head[0] === 0x42) return 'onnx';
  return 'binary';
}

export const SNIFF_NAMES: Readonly<Record<Sniffed, string>> = {
  json: 'JSON text', mlir: 'MLIR text', hlo: 'XLA HLO text', onnx: 'an ONNX protobuf', text: 'plain text', binary: 'binary data', empty: 'nothing (empty file)',
};
