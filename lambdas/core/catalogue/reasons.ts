/** Why a node is in its state, shown beside it; the labels are the manual's names for the reasons. */
export const REASONS = {
  NORMAL: 'Normal',
  ON_ADMIN_REQUEST: 'On Admin Request',
  INITIALIZATION: 'Initialization',
  AUTOMATIC_FALLBACK: 'Automatic Fallback',
  CRITICAL_SERVICE_DOWN: 'Critical Service Down',
  DATABASE_FAILURE: 'Database Failure',
  START_OF_CRITICAL_SERVICES_FAILED: 'Start of Critical Services Failed',
  PEER_DOWN: 'Peer Down',
  PEER_REBOOT: 'Peer Reboot',
  PEER_DOWN_DURING_INITIALIZATION: 'Peer Down During Initialization',
  TAKE_OVER_USERS_FAILED: 'Cisco Server Recovery Manager Take Over Users Failed',
  TAKE_BACK_USERS_FAILED: 'Cisco Server Recovery Manager Take Back Users Failed',
  AUTO_RECOVER_DATABASE_FAILURE: 'Auto Recover Database Failure',
  AUTO_RECOVER_CRITICAL_SERVICE_DOWN: 'Auto Recover Critical Service Down',
  UNKNOWN: 'Unknown',
} as const satisfies Record<string, string>;

export type ReasonCode = keyof typeof REASONS;
export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];

/** The manual's label for a reason code, e.g. `Peer Down During Initialization`. */
export function reasonLabel(reason: ReasonCode): string {
  return REASONS[reason];
}
