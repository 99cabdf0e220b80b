/**
 * cdk-nag's AwsSolutions pack finds nothing left unexplained: every finding is fixed or
 * suppressed with a reason an auditor can check.
 */
import { CfnResource } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PresenceHaStack } from '../../../lib/presence-ha-stack';
import { buildStack } from './synth';

let stack: PresenceHaStack;
let annotations: Annotations;

beforeAll(() => {
  stack = buildStack({
    aspects: [new AwsSolutionsChecks({ verbose: true, reports: false })],
    // With this flag (on in cdk.json) an error annotation fails synthesis outright, which is
    // right for `cdk synth` but would hide the list of findings this test exists to show.
    context: { '@aws-cdk/core:annotationsInValidationReport': false },
  }).stack;
  annotations = Annotations.fromStack(stack);
});

const NAG = Match.stringLikeRegexp('AwsSolutions-.*');
const messages = (found: { entry: { data?: unknown } }[]) => found.map((f) => String(f.entry.data));

interface Suppression {
  id: string;
  reason: string;
  applies_to?: unknown[];
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unsuppressed error', () => {
    expect(messages(annotations.findError('*', NAG))).toEqual([]);
  });

  it('reports no unsuppressed warning', () => {
    expect(messages(annotations.findWarning('*', NAG))).toEqual([]);
  });

  it('every suppression gives a reason in words, and wildcard ones name the wildcard', () => {
    // cdk-nag keeps suppressions in each CloudFormation resource's Metadata.
    const suppressions: Suppression[] = stack.node
      .findAll()
      .filter((c): c is CfnResource => CfnResource.isCfnResource(c))
      .flatMap(
        (c) =>
          (c.getMetadata('cdk_nag') as { rules_to_suppress?: Suppression[] } | undefined)
            ?.rules_to_suppress ?? [],
      );
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.reason.split(/\s+/).length, s.id).toBeGreaterThanOrEqual(20);
      if (s.id === 'AwsSolutions-IAM5') expect(s.applies_to?.length, s.reason).toBeGreaterThan(0);
    }
  });
});
