import * as z from 'zod';

/**
 * How the sync agent assigns users to nodes (the manual's "User Assignment Mode"):
 * `BALANCED` spreads them over every node, `ACTIVE_STANDBY` puts them all on the first
 * node of each group, `NONE` leaves the assignment to the administrator.
 */
export const UserAssignmentModeSchema = z.enum(['BALANCED', 'ACTIVE_STANDBY', 'NONE'], {
  error: 'must be one of BALANCED, ACTIVE_STANDBY or NONE',
});
export type UserAssignmentMode = z.infer<typeof UserAssignmentModeSchema>;

/** Body of `PUT /v1/enterprise-parameters` and what `GET` returns. */
export const EnterpriseParametersSchema = z.object({ userAssignmentMode: UserAssignmentModeSchema }).strict();
export type EnterpriseParameters = z.infer<typeof EnterpriseParametersSchema>;

/** The manual's default: Balanced. */
export const DEFAULT_ENTERPRISE_PARAMETERS: EnterpriseParameters = { userAssignmentMode: 'BALANCED' };
