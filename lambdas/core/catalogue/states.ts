/**
 * Node states of a presence redundancy group with high availability (SPEC §3), with the
 * manual's labels and Table 1 descriptions. `DOWN` is ours: the control plane sees both
 * nodes, so a node whose heartbeat is lost is shown as such.
 */
export const NODE_STATES = {
  INITIALIZING: {
    label: 'Initializing',
    description:
      'This is the initial (transition) state when the Cisco Server Recovery Manager service starts; it is a temporary state.',
  },
  IDLE: {
    label: 'Idle',
    description:
      'IM and Presence Service is in Idle state when failover occurs and services are stopped. In Idle state, the IM and Presence Service node does not provide any availability or Instant Messaging services. In Idle state, you can manually initiate a fallback to this node.',
  },
  NORMAL: {
    label: 'Normal',
    description: 'This is a stable state. The IM and Presence Service node is operating normally.',
  },
  RUNNING_IN_BACKUP_MODE: {
    label: 'Running in Backup Mode',
    description:
      'This is a stable state. The IM and Presence Service node is acting as the backup for its peer node. Users have moved to this (backup) node.',
  },
  TAKING_OVER: {
    label: 'Taking Over',
    description:
      'This is a transition state. The IM and Presence Service node is taking over for its peer node.',
  },
  FAILING_OVER: {
    label: 'Failing Over',
    description:
      'This is a transition state. The IM and Presence Service node is being taken over by its peer node.',
  },
  FAILED_OVER: {
    label: 'Failed Over',
    description:
      'This is a steady state. The IM and Presence Service node has failed over, but no critical services are down. In this state, you can manually initiate a fallback to this node.',
  },
  FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING: {
    label: 'Failed Over with Critical Services not Running',
    description:
      'This is a steady state. Some of the critical services on the IM and Presence Service node have either stopped or failed.',
  },
  FALLING_BACK: {
    label: 'Falling Back',
    description:
      'This is a transition state. The system is falling back to this IM and Presence Service node from the node that is running in backup mode.',
  },
  TAKING_BACK: {
    label: 'Taking Back',
    description:
      'This is a transition state. The failed IM and Presence Service node is taking back over from its peer.',
  },
  RUNNING_IN_FAILED_MODE: {
    label: 'Running in Failed Mode',
    description: 'An error occurs during the transition states or Running in Backup Mode state.',
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
      'The control plane has lost this node’s heartbeat: it is down, cut off from the network, or its Server Recovery Manager is not running.',
  },
  UNKNOWN: {
    label: 'Unknown',
    description:
      'Node state is unknown. A possible cause is that high availability was not enabled properly on the IM and Presence Service node. Restart the Server Recovery Manager service on both nodes in the presence redundancy group.',
  },
} as const satisfies Record<string, { label: string; description: string }>;

export type NodeStateCode = keyof typeof NODE_STATES;
export const NODE_STATE_CODES = Object.keys(NODE_STATES) as NodeStateCode[];

/** The manual's label for a state code, e.g. `Running in Backup Mode`. */
export function stateLabel(state: NodeStateCode): string {
  return NODE_STATES[state].label;
}
