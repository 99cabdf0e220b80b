/**
 * The deploy-time choices of the stack, read from CDK context (`cdk.json` or
 * `npx cdk deploy -c key=value`). Values given on the command line arrive as strings,
 * values in cdk.json as JSON, so both spellings are accepted.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export interface AppConfig {
  readonly stackName: string;
  readonly deletionProtection: boolean;
  /** Cognito domain prefix; undefined lets the stack derive one from its name and account. */
  readonly cognitoDomainPrefix?: string;
  readonly logRetention: RetentionDays;
  /** Run the cdk-nag AwsSolutions checks on synth. */
  readonly nag: boolean;
}

export const DEFAULT_STACK_NAME = 'PresenceHa';
export const DEFAULT_LOG_RETENTION = RetentionDays.ONE_MONTH;

/** Reads a boolean context value: `true`/`false` as JSON or as the strings the CLI passes. */
export function booleanContext(value: unknown, fallback: boolean, key: string): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context ${key} must be true or false, got ${JSON.stringify(value)}`);
}

function stringContext(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new Error(`Context ${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function retentionContext(value: unknown): RetentionDays {
  if (value === undefined || value === null || value === '') return DEFAULT_LOG_RETENTION;
  const days = Number(value);
  const allowed = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number');
  if (!allowed.includes(days)) {
    throw new Error(
      `Context logRetentionDays must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return days;
}

/** The stack's configuration from a context lookup (`(key) => app.node.tryGetContext(key)`). */
export function readAppConfig(context: (key: string) => unknown): AppConfig {
  const stackName = stringContext(context('stackName'), 'stackName') ?? DEFAULT_STACK_NAME;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,100}$/.test(stackName)) {
    throw new Error(
      `Context stackName must be a CloudFormation stack name, got ${JSON.stringify(stackName)}`,
    );
  }
  const cognitoDomainPrefix = stringContext(context('cognitoDomainPrefix'), 'cognitoDomainPrefix');
  if (
    cognitoDomainPrefix !== undefined &&
    !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(cognitoDomainPrefix)
  ) {
    throw new Error(
      `Context cognitoDomainPrefix must be lowercase letters, digits and hyphens, got ${JSON.stringify(cognitoDomainPrefix)}`,
    );
  }
  return {
    stackName,
    deletionProtection: booleanContext(context('deletionProtection'), true, 'deletionProtection'),
    cognitoDomainPrefix,
    logRetention: retentionContext(context('logRetentionDays')),
    nag: booleanContext(context('nag'), false, 'nag'),
  };
}
