/**
 * The states a node of a presence redundancy group can be in while high availability is
 * on. The labels are the manual's names for them; the descriptions are presence-ha's own
 * and are shown as a node's cause when no Table 2 row covers its pair. `DOWN` is ours: the
 * control plane sees both nodes, so it can say when one of them has gone silent.
 */
export const NODE_STATES = {
  INITIALIZING: {
    label: 'Initializing',
    description:
      'Passing through: the node’s agent (prg-agent) has just started and has not yet shown every critical service running.',
  },
  IDLE: {
    label: 'Idle',
    description:
      'The node was failed over: its users are on its peer and its critical services were stopped, so it offers neither presence nor instant messaging. Its users can be given back to it with `prg fallback`.',
  },
  NORMAL: {
    label: 'Normal',
    description: 'Steady and healthy: the node serves its own users with every critical service running.',
  },
  RUNNING_IN_BACKUP_MODE: {
    label: 'Running in Backup Mode',
    description: 'Steady: the node stands in for its peer and serves the peer’s users as well as its own.',
  },
  TAKING_OVER: {
    label: 'Taking Over',
    description: 'Passing through: the node is taking over the users of its peer.',
  },
  FAILING_OVER: {
    label: 'Failing Over',
    description: 'Passing through: the peer of this node is taking over its users.',
  },
  FAILED_OVER: {
    label: 'Failed Over',
    description:
      'Steady: the node’s users are still on its peer, but every critical service of the node runs again, so they can be given back to it with `prg fallback`.',
  },
  FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING: {
    label: 'Failed Over with Critical Services not Running',
    description:
      'Steady: the node’s users are on its peer, and at least one of the node’s critical services has stopped or crashed.',
  },
  FALLING_BACK: {
    label: 'Falling Back',
    description:
      'Passing through: the users of this node are coming back to it from the peer that served them.',
  },
  TAKING_BACK: {
    label: 'Taking Back',
    description: 'Passing through: this node, failed over before, is taking its users back from its peer.',
  },
  RUNNING_IN_FAILED_MODE: {
    label: 'Running in Failed Mode',
    description:
      'Something went wrong while the node was changing state or serving as a backup; the group needs `prg recover`.',
  },
  BACKUP_ACTIVATED: {
    label: 'Backup Activated',
    description:
      'The backup node lost a critical service or its database; this node, healthy after a failover, is taking its users back (auto-recovery).',
  },
  FAILOVER_AFFECTED_SERVICES: {
    label: 'Failover Affected Services',
    description:
      'This backup node lost a critical service or its database; its users are moving to its healthy peer (auto-recovery).',
  },
  DOWN: {
    label: 'Down',
    description:
      'The control plane has lost this node’s heartbeat: it is down, cut off from the network, or its prg-agent is not running.',
  },
  UNKNOWN: {
    label: 'Unknown',
    description:
      'presence-ha cannot tell what state this node is in, most likely because high availability was not turned on correctly for its group. Restart prg-agent on both nodes of the group.',
  },
} as const satisfies Record<string, { label: string; description: string }>;

export type NodeStateCode = keyof typeof NODE_STATES;
export const NODE_STATE_CODES = Object.keys(NODE_STATES) as NodeStateCode[];

/** The manual's label for a state code, e.g. `Running in Backup Mode`. */
export function stateLabel(state: NodeStateCode): string {
  return NODE_STATES[state].label;
}
