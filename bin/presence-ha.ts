/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` run this file (see cdk.json).
 * Context: stackName (PresenceHa), deletionProtection (true), cognitoDomainPrefix,
 * logRetentionDays (30), nag (cdk-nag AwsSolutions checks). docs/stack.md has the details.
 */
import { App, Aspects, Tags } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readAppConfig } from '../lib/config';
import { PresenceHaStack } from '../lib/presence-ha-stack';

const app = new App();
const config = readAppConfig((key) => app.node.tryGetContext(key));

new PresenceHaStack(app, config.stackName, {
  stackName: config.stackName,
  deletionProtection: config.deletionProtection,
  cognitoDomainPrefix: config.cognitoDomainPrefix,
  logRetention: config.logRetention,
});
Tags.of(app).add('project', 'presence-ha');

if (config.nag) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
