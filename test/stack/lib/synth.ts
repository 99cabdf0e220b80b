/**
 * Builds the stack for the CDK tests the way `cdk synth` does (the context of cdk.json,
 * feature flags included), but without bundling: the assertions are about the template,
 * and esbuild would cost seconds per function.
 */
import { readFileSync } from 'node:fs';
import { App, Aspects, type IAspect } from 'aws-cdk-lib';
import { PresenceHaStack, type PresenceHaStackProps } from '../../../lib/presence-ha-stack';

const cdkJson = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

export interface BuildOptions {
  readonly props?: PresenceHaStackProps;
  readonly aspects?: IAspect[];
  /** Context on top of cdk.json's. */
  readonly context?: Record<string, unknown>;
}

/** A stack named like the default deployment, built with bundling skipped. */
export function buildStack(options: BuildOptions = {}): { app: App; stack: PresenceHaStack } {
  const app = new App({
    context: { ...cdkJson.context, ...options.context, 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new PresenceHaStack(app, 'PresenceHa', { stackName: 'PresenceHa', ...options.props });
  for (const aspect of options.aspects ?? []) Aspects.of(app).add(aspect);
  return { app, stack };
}
