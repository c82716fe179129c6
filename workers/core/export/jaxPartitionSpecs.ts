/**
 * JAX PartitionSpecs from Alpa sharding specs: per dimension 'R' -> None, 'S0' -> 'x' (logical mesh axis 0),
 * 'S1' -> 'y', 'S01' -> ('x', 'y'); so 'S0R' is P('x', None) on Mesh(devices.reshape(n0, n1), ('x', 'y')).
 */
import type { Plan } from '../inter/plan.ts';

export const JAX_MESH_AXES = ['x', 'y'] as const;

export interface JaxTensorSpec {
  readonly tensor: string;
  readonly name: string;
  /** Alpa notation, e.g. 'S0R'. */
  readonly spec: string;
  /** Python source of the PartitionSpec, e.g. "P('x', None)". */
  readonly partitionSpec: string;
}

export interface JaxStageSpecs {
  readonly stage: number;
  readonly meshShape: readonly [number, number];
  /** Python source building the stage's mesh from `jax.devices()` (devices laid row-major: axis 1 consecutive). */
  readonly mesh: string;
  readonly specs: readonly JaxTensorSpec[];
}

/** Splits an Alpa spec string into per-dimension tokens ('S01' before 'S0'); throws naming the bad part. */
export function parseAlpaSpec(spec: string): ('R' | 'S0' | 'S1' | 'S01')[] {
  const dims: ('R' | 'S0' | 'S1' | 'S01')[] = [];
  let k = 0;
  while (k < spec.length) {
    if (spec.startsWith('S01', k)) { dims.push('S01'); k += 3; }
    else if (spec.startsWith('S0', k)) { dims.push('S0'); k += 2; }
    else if (spec.startsWith('S1', k)) { dims.push('S1'); k += 2; }
    else if (spec[k] === 'R') { dims.push('R'); k += 1; }
    else throw new Error(`sharding spec '${spec}': unexpected '${spec.slice(k)}' at character ${k}`);
  }
  return dims;
}

/** 'S0R' -> "P('x', None)"; '' (a scalar) -> 'P()'. */
export function partitionSpecOf(spec: string): string {
  const parts = parseAlpaSpec(spec).map((d) => {
    switch (d) {
      case 'R': return 'None';
      case 'S0': return `'${JAX_MESH_AXES[0]}'`;
      case 'S1': return `'${JAX_MESH_AXES[1]}'`;
      case 'S01': return `('${JAX_MESH_AXES[0]}', '${JAX_MESH_AXES[1]}')`;
    }
  });
  return `P(${parts.join(', ')})`;
}

export function jaxPartitionSpecs(plan: Plan): JaxStageSpecs[] {
  return plan.stages.map((s) => {
    const [n0, n1] = s.logicalMesh;
    const mesh = `Mesh(np.array([jax.devices()[d] for d in [${s.devices.join(', ')}]]).reshape(${n0}, ${n1}), ('${JAX_MESH_AXES[0]}', '${JAX_MESH_AXES[1]}'))`;
    const specs = (s.sharding?.tensors ?? []).map((t) => ({
      tensor: t.tensor, name: t.name, spec: t.spec, partitionSpec: partitionSpecOf(t.spec),
    }));
    return { stage: s.index, meshShape: [n0, n1] as const, mesh, specs };
  });
}

/** A Python module text: one mesh and a {tensor name: PartitionSpec} dict per stage. Names are quoted as Python
 * string literals (JSON escaping is valid Python for them). */
export function jaxPartitionSpecsPython(plan: Plan): string {
  const lines = [
    `# Meshplan: sharding of ${plan.model} on ${plan.cluster} (${plan.label})`,
    'import jax',
    'import numpy as np',
    'from jax.sharding import Mesh, PartitionSpec as P',
    '',
  ];
  for (const st of jaxPartitionSpecs(plan)) {
    lines.push(`stage${st.stage}_mesh = ${st.mesh}`);
    lines.push(`stage${st.stage}_specs = {`);
    for (const t of st.specs) lines.push(`    ${JSON.stringify(t.name)}: ${t.partitionSpec},`);
    lines.push('}', '');
  }
  return lines.join('\n');
}
