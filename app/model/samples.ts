/** Sample model files served from public/models (copied from the shared fixtures). */
export const SAMPLES: readonly { readonly file: string; readonly label: string }[] = [
  { file: 'gpt2-124m.onnx', label: 'GPT-2 124M (ONNX)' },
  { file: 'bert-base.onnx', label: 'BERT base (ONNX)' },
  { file: 'resnet50.onnx', label: 'ResNet-50 (ONNX)' },
  { file: 'gpt-125m.forward.mlir', label: 'GPT 125M forward (StableHLO)' },
];

export const sampleUrl = (file: string): string => `${import.meta.env.BASE_URL}models/${encodeURIComponent(file)}`;
