/**
 * The Step Functions workflows as data. Each ASL file names its Lambda task resource
 * `${WorkflowTaskFunctionArn}`, substituted by CDK and bound to the same handler
 * in-process by the embedded default. File, state machine name and environment variable
 * are all derived from the id.
 */
export type WorkflowId = 'TAKE_OVER' | 'FALL_BACK' | 'RECOVER' | 'AUTO_FALLBACK' | 'REHOME';

export const WORKFLOW_IDS = [
  'TAKE_OVER',
  'FALL_BACK',
  'RECOVER',
  'AUTO_FALLBACK',
  'REHOME',
] as const satisfies readonly WorkflowId[];

export interface WorkflowDefinition {
  readonly id: WorkflowId;
  /** `take-over`: the ASL file is `statemachines/<slug>.asl.json`, the state machine `${stackName}-<slug>`. */
  readonly slug: string;
  readonly file: string;
  readonly nameSuffix: string;
  /** Environment variable through which handlers learn the state machine ARN. */
  readonly envVar: string;
  readonly description: string;
}

const workflow = (id: WorkflowId, description: string): WorkflowDefinition => {
  const slug = id.toLowerCase().replace(/_/g, '-');
  return {
    id,
    slug,
    file: `${slug}.asl.json`,
    nameSuffix: slug,
    envVar: `STATE_MACHINE_${id}_ARN`,
    description,
  };
};

export const WORKFLOWS: Readonly<Record<WorkflowId, WorkflowDefinition>> = {
  TAKE_OVER: workflow('TAKE_OVER', "Taking Over: move a node's users to its peer"),
  FALL_BACK: workflow(
    'FALL_BACK',
    'Falling Back / Taking Back: wait for the node to run its critical services, then move its users home',
  ),
  RECOVER: workflow('RECOVER', 'Recovery: every user returns to its home node while both nodes restart'),
  AUTO_FALLBACK: workflow(
    'AUTO_FALLBACK',
    'Automatic Fallback: wait automaticFallbackDelay, then re-check and fall back if still healthy',
  ),
  REHOME: workflow(
    'REHOME',
    "Re-home: give a failed-over node's users the peer serving them as their home, a page at a time",
  ),
};

/** A valid, unique execution name (1–80 of letters, digits, `-` and `_`). */
export function executionName(group: string, operationId: string): string {
  const safe = `${group}--${operationId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return safe.length <= 80 ? safe : `${safe.slice(0, 60)}-${hash(safe)}`;
}

function hash(s: string): string {
  let h = 0;
  for (const c of s) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return (h >>> 0).toString(36);
}
