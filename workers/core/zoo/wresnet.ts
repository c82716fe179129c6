/**
 * Wide-ResNet (the paper's image family, Alpa's alpa/model/wide_resnet.py), NCHW, fp32: 7x7 stride-2 stem conv,
 * BatchNorm, ReLU, 3x3 stride-2 max pool; four stages of bottleneck blocks (1x1 conv to f, 3x3 conv to
 * f * widthFactor with the stage's stride, 1x1 conv to 4f; BatchNorm after each, no conv bias; a 1x1 projection
 * on the shortcut when the shape changes); global average pool; dense to the classes.
 * Blocks are numbered across stages: 'wresnet/block.<k>/conv2'.
 */
import { GraphBuilder } from '../ir/builder.ts';
import type { DType, ModelGraph } from '../ir/types.ts';
import { windowedDim } from '../ir/shapes.ts';
import { checkDims, ZooError } from './transformer.ts';

export interface WresnetConfig {
  /** 50 or 101 (bottleneck variants). */
  readonly layers: number;
  readonly baseChannels: number;
  readonly widthFactor: number;
  readonly classes?: number;
  readonly image?: number;
  readonly batch: number;
  readonly dtype?: DType;
  readonly name?: string;
}

const STAGE_BLOCKS: Readonly<Record<number, readonly number[]>> = { 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3] };

export function wresnet(cfg: WresnetConfig): ModelGraph {
  const { layers, baseChannels: base, widthFactor: width, batch: N } = cfg;
  const classes = cfg.classes ?? 1024;
  const image = cfg.image ?? 224;
  const dtype = cfg.dtype ?? 'f32';
  checkDims('wresnet', { layers, baseChannels: base, widthFactor: width, classes, image, batch: N });
  const stages = STAGE_BLOCKS[layers];
  if (!stages) throw new ZooError(`wresnet: layers must be one of ${Object.keys(STAGE_BLOCKS).join(', ')}, got ${layers}`);
  const name = cfg.name ?? `wresnet${layers}-c${base}-w${width}`;
  const b = new GraphBuilder({
    name, source: `zoo:${name}`, family: 'wresnet', batch: N,
    config: { layers, baseChannels: base, widthFactor: width, classes, image, batch: N },
  });
  const images = b.input('images', [N, 3, image, image], dtype, 0);
  let x = convBnRelu(b, 'wresnet/stem', images, 3, base, 7, 2, dtype, true);
  const size = b.shape(x)[2];
  x = b.pool('wresnet/stem/max_pool', x, [1, 1, 3, 3], [1, 1, 2, 2], 'max', [[0, 0], [0, 0], samePad(size, 3, 2), samePad(size, 3, 2)]);
  let channels = base;
  let k = 0;
  stages.forEach((blocks, i) => {
    for (let j = 0; j < blocks; j++) {
      const stride = i > 0 && j === 0 ? 2 : 1;
      x = bottleneck(b, `wresnet/block.${k++}`, x, channels, base * 2 ** i, width, stride, dtype);
      channels = base * 2 ** i * 4;
    }
  });
  const pooled = b.reduce('wresnet/head/avg_pool', x, [2, 3], 'mean');
  const w = b.param('wresnet/head/dense/kernel', [channels, classes], dtype);
  const logits = b.linear('wresnet/head/dense', pooled, w);
  const bias = b.param('wresnet/head/dense/bias', [classes], dtype);
  const out = b.elementwise('wresnet/head/dense/bias_add', 'add', [logits, bias]);
  const labels = b.input('labels', [N], 'i32', 0);
  const perSample = b.reduce('wresnet/head/loss/cross_entropy', out, [1], 'other', [labels]);
  b.reduce('wresnet/head/loss/mean', perSample, [0], 'mean');
  return b.build();
}

/** [low, high] padding of XLA's 'SAME' for a window over a dim of `size`. */
function samePad(size: number, window: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + window - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function convBn(b: GraphBuilder, path: string, x: string, cin: number, cout: number, kernel: number, stride: number, dtype: DType, stem = false): string {
  const w = b.param(`${path}/conv/kernel`, [cout, cin, kernel, kernel], dtype);
  const size = b.shape(x)[2];
  const pad: [number, number] = stem ? [3, 3] : samePad(size, kernel, stride);
  const y = b.conv2d(`${path}/conv`, x, w, [stride, stride], [pad, pad]);
  if (windowedDim(size, kernel, stride, pad) !== b.shape(y)[2]) throw new ZooError(`wresnet: bad conv geometry at ${path}`);
  const scale = b.param(`${path}/bn/scale`, [cout], dtype);
  const bias = b.param(`${path}/bn/bias`, [cout], dtype);
  return b.batchnorm(`${path}/bn`, y, [scale, bias]);
}

function convBnRelu(b: GraphBuilder, path: string, x: string, cin: number, cout: number, kernel: number, stride: number, dtype: DType, stem = false): string {
  return b.elementwise(`${path}/relu`, 'relu', [convBn(b, path, x, cin, cout, kernel, stride, dtype, stem)]);
}

function bottleneck(b: GraphBuilder, path: string, x: string, cin: number, filters: number, width: number, stride: number, dtype: DType): string {
  const y1 = convBnRelu(b, `${path}/conv1`, x, cin, filters, 1, 1, dtype);
  const y2 = convBnRelu(b, `${path}/conv2`, y1, filters, filters * width, 3, stride, dtype);
  const y3 = convBn(b, `${path}/conv3`, y2, filters * width, filters * 4, 1, 1, dtype);
  const shortcut = cin !== filters * 4 || stride !== 1 ? convBn(b, `${path}/proj`, x, cin, filters * 4, 1, stride, dtype) : x;
  const sum = b.elementwise(`${path}/residual`, 'add', [shortcut, y3]);
  return b.elementwise(`${path}/relu`, 'relu', [sum]);
}
