import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { readAppConfig } from '../../../lib/config';

const from =
  (context: Record<string, unknown>) =>
  (key: string): unknown =>
    context[key];

describe('readAppConfig (CDK context → stack configuration)', () => {
  it('defaults to the PresenceHa stack with deletion protection on and nag off', () => {
    expect(readAppConfig(from({}))).toEqual({
      stackName: 'PresenceHa',
      deletionProtection: true,
      cognitoDomainPrefix: undefined,
      logRetention: RetentionDays.ONE_MONTH,
      nag: false,
    });
  });

  it('reads JSON values of cdk.json and the strings of -c key=value alike', () => {
    for (const context of [
      { deletionProtection: false, nag: true, logRetentionDays: 90 },
      { deletionProtection: 'false', nag: 'true', logRetentionDays: '90' },
    ]) {
      expect(readAppConfig(from(context))).toMatchObject({
        deletionProtection: false,
        nag: true,
        logRetention: RetentionDays.THREE_MONTHS,
      });
    }
  });

  it('takes a stack name and a Cognito domain prefix', () => {
    expect(
      readAppConfig(from({ stackName: 'PresenceHa-dev', cognitoDomainPrefix: 'acme-prg-dev' })),
    ).toMatchObject({ stackName: 'PresenceHa-dev', cognitoDomainPrefix: 'acme-prg-dev' });
  });

  it.each([
    [{ deletionProtection: 'no' }, /deletionProtection/],
    [{ stackName: '1st stack' }, /stackName/],
    [{ cognitoDomainPrefix: 'Acme_PRG' }, /cognitoDomainPrefix/],
    [{ logRetentionDays: 31 }, /logRetentionDays/],
  ])('refuses %j rather than deploying something else', (context, message) => {
    expect(() => readAppConfig(from(context))).toThrow(message);
  });
});
