/**
 * What every route answers, as zod schemas: the OpenAPI document describes each response
 * from these, the typed client reads them, and the handler tests check every answer
 * against them, so a field added to a view without its schema fails a test.
 */
import * as z from 'zod';
import {
  ClusterParametersSchema,
  EnterpriseParametersSchema,
  NODE_STATE_CODES,
  NodeParametersSchema,
  REASON_CODES,
  ServiceStatusSchema,
  type NodeStateCode,
  type ReasonCode,
} from '../core';
import { NextCursorSchema } from './paging';

const StateSchema = z.enum(NODE_STATE_CODES as [NodeStateCode, ...NodeStateCode[]]);
const ReasonSchema = z.enum(REASON_CODES as [ReasonCode, ...ReasonCode[]]);
const ServiceOrderSchema = z.enum(['stop', 'start', 'leave']);
const WorkflowKindSchema = z.enum(['TAKE_OVER', 'FALL_BACK', 'RECOVER']);
const Timestamp = z.string().describe('ISO 8601 time');

export const HealthSchema = z.object({ status: z.literal('ok') });

/** The OpenAPI document itself: an object this schema does not describe further. */
export const OpenApiDocumentSchema = z.record(z.string(), z.unknown());

export const NodeViewSchema = z.object({
  nodeId: z.string(),
  hostname: z.string(),
  clusterId: z.string(),
  softwareVersion: z.string(),
  publisherId: z.string(),
  group: z.string().nullable(),
  userCount: z.number().int(),
  lastHeartbeatAt: Timestamp.nullable(),
  services: z.record(z.string(), z.string()),
  database: z.string().nullable(),
  registeredAt: Timestamp,
  legacyToken: z
    .boolean()
    .describe('true: its token is a legacy prgn. one, refused when the legacy window closes; rotate it'),
  legacyTokenAcceptedUntil: Timestamp.nullable()
    .optional()
    .describe(
      'Only while legacyToken is true: when the legacy window closes (it may be past: the token is refused now); null: this deployment accepts no legacy token',
    ),
});

export const NodeListSchema = z.object({ nodes: z.array(NodeViewSchema), next: NextCursorSchema });

export const RegisteredNodeSchema = z.object({
  node: NodeViewSchema,
  token: z.string().describe('The node token, shown this once'),
});

export const RotatedTokenSchema = z.object({ token: z.string() });

/** One node of a group, with the labels, cause and recommended actions of its state pair. */
export const GroupMemberViewSchema = z.object({
  nodeId: z.string(),
  state: StateSchema.nullable(),
  stateLabel: z.string().nullable(),
  reason: ReasonSchema.nullable(),
  reasonLabel: z.string().nullable(),
  cause: z.string().nullable(),
  recommendedActions: z.array(z.string()),
  lastHeartbeatAt: Timestamp.nullable(),
  services: z.record(z.string(), ServiceStatusSchema),
  database: z.enum(['up', 'down']).nullable(),
  serviceOrder: ServiceOrderSchema,
  agentAcknowledges: z
    .boolean()
    .nullable()
    .optional()
    .describe(
      "false: the node's agent predates the acknowledgement (sends no `heard`) and gets the older failover rules; upgrade it. null: never heard from. Absent from control planes older than the acknowledgement",
    ),
});

const OperationFields = {
  id: z.string(),
  kind: WorkflowKindSchema,
  reason: ReasonSchema,
  fromNode: z.string(),
  toNode: z.string(),
};

export const GroupViewSchema = z.object({
  name: z.string(),
  description: z.string(),
  clusterId: z.string(),
  highAvailability: z.boolean(),
  nodes: z.array(GroupMemberViewSchema),
  failedOver: z.string().nullable().describe('The node whose users its peer serves, if any'),
  epoch: z.number().int(),
  version: z.number().int(),
  operation: z
    .object({
      ...OperationFields,
      phase: z.enum(['AWAIT_STOP', 'AWAIT_SERVICES', 'MOVE_USERS']),
      startedAt: Timestamp,
    })
    .nullable(),
  lastOperation: z
    .object({ ...OperationFields, outcome: z.enum(['succeeded', 'failed']), endedAt: Timestamp })
    .nullable(),
  automaticFallbackAt: Timestamp.nullable(),
  maintenance: z
    .object({ reason: z.string(), until: Timestamp, by: z.string().describe('Who started it') })
    .nullable()
    .describe('While on: no automatic failover or fallback starts until `until`'),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const GroupListSchema = z.object({ groups: z.array(GroupViewSchema), next: NextCursorSchema });

export const HistoryEntrySchema = z.object({
  at: Timestamp,
  nodeId: z.string(),
  from: StateSchema.nullable(),
  to: StateSchema.nullable(),
  reason: ReasonSchema.nullable(),
  cause: z.string(),
  /** Who asked for the change, on the lines of an admin action; absent when the control plane decided. */
  by: z.string().optional(),
});

export const HistorySchema = z.object({ history: z.array(HistoryEntrySchema), next: NextCursorSchema });

export const OperationAcceptedSchema = z.object({
  operation: z
    .object({ id: z.string(), kind: z.string(), fromNode: z.string(), toNode: z.string() })
    .nullable(),
  group: z.string(),
  epoch: z.number().int(),
});

const NodeStatusSchema = z.object({
  nodeId: z.string(),
  state: StateSchema.nullable(),
  reason: ReasonSchema.nullable(),
});

/** The answer (200) to an admin action sent with `"dryRun": true`: what it would do; nothing changed. */
export const DryRunSchema = z.object({
  dryRun: z.literal(true),
  kind: z.string().describe('The workflow the action would start: TAKE_OVER, FALL_BACK or RECOVER'),
  nodes: z.array(NodeStatusSchema).describe('Each node right after the action would be accepted'),
  end: z.array(NodeStatusSchema).describe('Each node once the workflow would have moved the users'),
  usersToMove: z.number().int().describe('Users whose serving node would change'),
});
export type DryRunView = z.output<typeof DryRunSchema>;

/** The answer (202) to a re-home: the workflow that gives the failed-over node's users a new home. */
export const RehomeAcceptedSchema = z.object({
  group: z.string(),
  operationId: z.string(),
  fromNode: z.string(),
  toNode: z.string(),
  users: z.number().int().describe('Users whose home was fromNode when the workflow started'),
});

export const HeartbeatAnswerSchema = z.object({
  group: z.string().nullable(),
  incarnation: z
    .string()
    .nullable()
    .describe('This creation of the group; the agent sends it back in `heard` with the epoch'),
  state: StateSchema.nullable(),
  reason: ReasonSchema.nullable(),
  epoch: z.number().int(),
  serviceOrder: ServiceOrderSchema,
  nextHeartbeatSeconds: z.number(),
  keepAliveTimeoutSeconds: z.number(),
  fenceAfterSeconds: z.number(),
  serviceStopSeconds: z.number(),
});

export const ClusterParametersViewSchema = ClusterParametersSchema;
export const NodeParametersViewSchema = NodeParametersSchema;
export const EnterpriseParametersViewSchema = EnterpriseParametersSchema;

export const UserViewSchema = z.object({
  userId: z.string(),
  clusterId: z.string(),
  homeNode: z.string().nullable(),
  currentNode: z.string().nullable(),
  relogin: z
    .object({
      lowerLimitSeconds: z.number(),
      upperLimitSeconds: z.number(),
      afterSeconds: z.number(),
    })
    .nullable(),
});

export const UserListSchema = z.object({ users: z.array(UserViewSchema), next: NextCursorSchema });

export const RebalanceSchema = z.object({
  planned: z.array(z.object({ from: z.string(), to: z.string(), count: z.number().int() })),
  moved: z.number().int(),
  remaining: z.number().int(),
});

/** RFC 9457 problem details: every refusal and error. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  code: z.string().optional(),
  states: z
    .array(
      z.object({
        nodeId: z.string(),
        state: z.string().nullable(),
        reason: z.string().nullable(),
        stateLabel: z.string().nullable(),
        reasonLabel: z.string().nullable(),
      }),
    )
    .optional()
    .describe('On a 409: the states that forbid the action, with their labels'),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** The views as the API answers them, for clients. */
export type GroupView = z.output<typeof GroupViewSchema>;
export type GroupMemberView = z.output<typeof GroupMemberViewSchema>;
export type NodeView = z.output<typeof NodeViewSchema>;
export type UserView = z.output<typeof UserViewSchema>;
export type HistoryEntryView = z.output<typeof HistoryEntrySchema>;
export type OperationAccepted = z.output<typeof OperationAcceptedSchema>;
export type HeartbeatAnswer = z.output<typeof HeartbeatAnswerSchema>;
