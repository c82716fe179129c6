/**
 * The model's layer graph laid out with ELK (elkjs, layered algorithm, top to bottom): ops grouped into layers
 * (embedding, blocks, head), each group laid out on its own. Groups with the same internal wiring (identical
 * transformer blocks) get the same ELK input, so each distinct wiring is laid out once per call and reused: a
 * 125-block Llama costs three ELK runs, not 125. Runs in the layout worker (ELK's bundled build, same thread).
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { indexGraph, structuralHash } from '../../workers/core/ir/hash.ts';
import { groupLayers } from '../../workers/core/ir/layers.ts';
import type { ModelGraph } from '../../workers/core/ir/types.ts';
import { GAP_X, GAP_Y, NODE_H, NODE_W, type EdgePoint, type GraphLayout, type LaidGroup } from './layout.ts';

const ELK_OPTIONS: Readonly<Record<string, string>> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'POLYLINE',
  'elk.spacing.nodeNode': String(GAP_X),
  'elk.layered.spacing.nodeNodeBetweenLayers': String(GAP_Y),
  'elk.layered.spacing.edgeNodeBetweenLayers': String(GAP_Y / 2),
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
};

interface Placement {
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  readonly width: number;
  readonly height: number;
  readonly routes: readonly (readonly EdgePoint[])[];
}

type Elk = InstanceType<typeof ELK>;

/** ELK layout of `count` equal-sized nodes wired by `edges` (producer, consumer indices), origin at the top left. */
async function placeNodes(elk: Elk, count: number, edges: readonly (readonly [number, number])[]): Promise<Placement> {
  if (count === 0) return { xs: [], ys: [], width: 0, height: 0, routes: [] };
  const input: ElkNode = {
    id: 'group',
    layoutOptions: { ...ELK_OPTIONS },
    children: Array.from({ length: count }, (_, i) => ({ id: `n${i}`, width: NODE_W, height: NODE_H })),
    edges: edges.map(([p, c], k) => ({ id: `e${k}`, sources: [`n${p}`], targets: [`n${c}`] })),
  };
  const out = await elk.layout(input);
  const byId = new Map((out.children ?? []).map((n) => [n.id, n]));
  const rawX = input.children!.map((n) => byId.get(n.id)?.x ?? 0);
  const rawY = input.children!.map((n) => byId.get(n.id)?.y ?? 0);
  const minX = Math.min(...rawX), minY = Math.min(...rawY);
  const xs = rawX.map((x) => x - minX), ys = rawY.map((y) => y - minY);
  const shift = (p: { x: number; y: number }): EdgePoint => ({ x: p.x - minX, y: p.y - minY });
  const edgesById = new Map((out.edges ?? []).map((e) => [e.id, e]));
  const routes = input.edges!.map((e) => {
    const section = edgesById.get(e.id)?.sections?.[0];
    return section ? [shift(section.startPoint), ...(section.bendPoints ?? []).map(shift), shift(section.endPoint)] : [];
  });
  // long edges pass beside the nodes of the layers they skip, possibly right of every node: the box holds them too
  const points = routes.flat();
  const width = Math.max(...xs.map((x) => x + NODE_W), ...points.map((p) => p.x));
  const height = Math.max(...ys.map((y) => y + NODE_H), ...points.map((p) => p.y));
  return { xs, ys, width, height, routes };
}

export async function layoutGraph(graph: Pick<ModelGraph, 'name' | 'ops' | 'tensors'>): Promise<GraphLayout> {
  const elk = new ELK();
  const byId = new Map(graph.ops.map((o) => [o.id, o]));
  const index = indexGraph(graph);
  const placements = new Map<string, Promise<Placement>>(); // wiring key -> layout, for this call only
  const groups = groupLayers(graph).map(async (g): Promise<LaidGroup> => {
    const ops = g.opIds.map((id) => byId.get(id)!);
    const producer = new Map<string, number>();
    ops.forEach((o, i) => { for (const t of o.outputs) producer.set(t, i); });
    const edges: [number, number][] = [];
    ops.forEach((o, i) => {
      for (const t of o.inputs) {
        const p = producer.get(t);
        if (p !== undefined && p < i) edges.push([p, i]);
      }
    });
    const key = `${ops.length}:${edges.map(([p, c]) => `${p}-${c}`).join(',')}`;
    let placement = placements.get(key);
    if (!placement) { placement = placeNodes(elk, ops.length, edges); placements.set(key, placement); }
    const { xs, ys, width, height, routes } = await placement;
    return {
      name: g.name, kind: g.kind, hash: structuralHash(graph, g.opIds, index), flops: ops.reduce((s, o) => s + o.flops, 0),
      ops: ops.map((o, i) => ({ id: o.id, name: o.name, kind: o.kind, x: xs[i], y: ys[i] })), edges, width, height, routes,
    };
  });
  return { graphName: graph.name, groups: await Promise.all(groups) };
}
