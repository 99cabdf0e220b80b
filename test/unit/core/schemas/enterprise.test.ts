import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ENTERPRISE_PARAMETERS,
  EnterpriseParametersSchema,
  UserAssignmentModeSchema,
} from '../../../../lambdas/core';
import { issues, unknownKeys } from './issues';

describe('enterprise parameters: user assignment mode', () => {
  it('defaults to Balanced, as the manual does', () => {
    expect(DEFAULT_ENTERPRISE_PARAMETERS).toEqual({ userAssignmentMode: 'BALANCED' });
    expect(EnterpriseParametersSchema.safeParse(DEFAULT_ENTERPRISE_PARAMETERS).success).toBe(true);
  });

  it.each(['BALANCED', 'ACTIVE_STANDBY', 'NONE'])('accepts %s', (userAssignmentMode) => {
    expect(EnterpriseParametersSchema.parse({ userAssignmentMode })).toEqual({ userAssignmentMode });
  });

  it.each(['balanced', 'Active-Standby', '', undefined])(
    'rejects %j, naming userAssignmentMode and the three modes',
    (userAssignmentMode) => {
      expect(issues(EnterpriseParametersSchema, { userAssignmentMode })).toEqual([
        { path: ['userAssignmentMode'], message: 'must be one of BALANCED, ACTIVE_STANDBY or NONE' },
      ]);
    },
  );

  it('lists the modes in the manual’s order', () => {
    expect(UserAssignmentModeSchema.options).toEqual(['BALANCED', 'ACTIVE_STANDBY', 'NONE']);
  });

  it('rejects an unknown field', () => {
    expect(unknownKeys(EnterpriseParametersSchema, { userAssignmentMode: 'NONE', syncAgent: 'on' })).toEqual([
      'syncAgent',
    ]);
  });
});
