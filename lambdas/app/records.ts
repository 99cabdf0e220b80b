import type { GroupState, HeartbeatBody, NodeParameters, UserAssignmentMode } from '../core';

/** A group as stored: the domain state and what only the application needs. */
export interface GroupRecord {
  group: GroupState;
  clusterId: string;
  description: string;
  /** Grows at every write; every update is conditional on it. */
  version: number;
  /** Token hash of each member, so a steady heartbeat is verified inside its own write. */
  tokens: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** The last heartbeat of a node, kept on the node while it is in no HA group. */
export interface LastHeartbeat {
  at: number;
  body: HeartbeatBody;
}

/** A registered node as stored. */
export interface NodeRecord {
  nodeId: string;
  hostname: string;
  clusterId: string;
  softwareVersion: string;
  publisherId: string;
  tokenHash: string;
  /**
   * How many tokens the node has been issued (the generation inside its token): absent
   * on nodes registered before tokens carried one. Rotation moves it on conditionally.
   */
  tokenGeneration?: number;
  /** The group it belongs to, if any: a node belongs to at most one. */
  group: string | null;
  parameters: NodeParameters;
  /** Users whose home is this node, kept by the same transactions that add and remove them. */
  userCount: number;
  lastHeartbeat: LastHeartbeat | null;
  registeredAt: string;
}

/** A user as stored; the serving node is derived from the group, never stored. */
export interface UserRecord {
  userId: string;
  clusterId: string;
  homeNode: string | null;
  createdAt: string;
}

export interface EnterpriseRecord {
  userAssignmentMode: UserAssignmentMode;
}
