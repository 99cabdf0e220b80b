import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { groupsWarmThroughput, NEW_TABLE_WRITE_UNITS, Tables } from '../../lib/constructs/tables';

/** The groups table of a bare stack holding only the tables, for a fleet sending `perSecond` heartbeats. */
function groupsTable(perSecond: number | undefined): Record<string, unknown> {
  const stack = new Stack(new App(), 'T');
  new Tables(stack, 'Tables', {
    deletionProtection: false,
    ...(perSecond === undefined ? {} : { heartbeatsPerSecond: perSecond }),
  });
  const tables = Template.fromStack(stack).findResources('AWS::DynamoDB::Table');
  const groups = Object.entries(tables).find(([id]) => id.includes('Groups'));
  if (!groups) throw new Error('no groups table');
  return (groups[1] as { Properties: Record<string, unknown> }).Properties;
}

describe('the groups table is warmed for the declared fleet', { timeout: 120_000 }, () => {
  it('100,000 nodes at 15 s: warm for twice their heartbeat writes, above what a new table serves', () => {
    const perSecond = 100_000 / 15;
    const warm = groupsTable(perSecond).WarmThroughput as { WriteUnitsPerSecond: number };
    expect(warm.WriteUnitsPerSecond).toBeGreaterThanOrEqual(Math.ceil(perSecond * 2));
    expect(warm.WriteUnitsPerSecond).toBeGreaterThan(NEW_TABLE_WRITE_UNITS);
  });

  it('a fleet a new on-demand table already serves gets no warm throughput (it is billed)', () => {
    expect(groupsWarmThroughput(1_000 / 15)).toBeUndefined();
    expect(groupsTable(1_000 / 15).WarmThroughput).toBeUndefined();
    expect(groupsTable(undefined).WarmThroughput).toBeUndefined();
  });
});
