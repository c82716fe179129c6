/** Exports of a Plan: versioned JSON, Chrome/Perfetto trace, Megatron-LM arguments, JAX PartitionSpecs. */
export { exportablePlan, planToJson, parsePlanJson, PLAN_JSON_FORMAT, PLAN_JSON_VERSION } from './planJson.ts';
export type { PlanJsonEnvelope, ParsePlanResult } from './planJson.ts';
export { chromeTrace, stagePid, stageProcessName, TRACE_THREADS } from './chromeTrace.ts';
export type { ChromeTrace, TraceEvent } from './chromeTrace.ts';
export { megatronArgs } from './megatronArgs.ts';
export type { MegatronArgsResult, MegatronModel } from './megatronArgs.ts';
export { megatronText } from './megatronText.ts';
export { jaxScript } from './jaxScript.ts';
export type { JaxScriptResult } from './jaxScript.ts';
export { jaxPartitionSpecs, jaxPartitionSpecsPython, parseAlpaSpec, partitionSpecOf, JAX_MESH_AXES } from './jaxPartitionSpecs.ts';
export type { JaxStageSpecs, JaxTensorSpec } from './jaxPartitionSpecs.ts';
