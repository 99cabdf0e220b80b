/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` run this file (see cdk.json).
 * Context (defaults in brackets; docs/stack.md has the table):
 * - this file (lib/config.ts): stackName [PresenceHa], deletionProtection [true],
 *   cognitoDomainPrefix [<stackname>-<account>], logRetentionDays [30], nag [true in
 *   cdk.json, else false], frontWafStack [false: no us-east-1 companion WAF stack];
 * - the stack (lib/presence-ha-stack.ts, lib/config.ts): console [true], fleetSize [1000],
 *   heartbeatIntervalSeconds [15], heartbeatReservedConcurrency [from the fleet],
 *   front [none | waf], apiDomainName and apiCertificateArn [needed by front=waf],
 *   wafRequestsPerIpPer5Min [2000], wafManagedRules [false], wafAclArn [none: the stack makes its own, which
 *   needs us-east-1], legacyNodeTokensUntil [2027-03-01T00:00:00Z, or closed],
 *   sdkDynamoDb [false: the heartbeat and public functions use the small signed client];
 * - the notifications (lib/constructs/notifications.ts): alertEmails, alertWebhooks,
 *   alertChatWebhook [none].
 */
import { App, Aspects, Tags } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { booleanContext, readAppConfig, readFrontWafRules } from '../lib/config';
import { FrontWafStack } from '../lib/constructs/waf';
import { PresenceHaStack } from '../lib/presence-ha-stack';

const app = new App();
const config = readAppConfig((key) => app.node.tryGetContext(key));

new PresenceHaStack(app, config.stackName, {
  stackName: config.stackName,
  deletionProtection: config.deletionProtection,
  cognitoDomainPrefix: config.cognitoDomainPrefix,
  logRetention: config.logRetention,
});

// A control plane outside us-east-1 takes its WAF front's web ACL from this companion stack,
// deployed first in us-east-1: `npx cdk deploy -c frontWafStack=true <stackName>FrontWaf`,
// then the main stack with `-c front=waf -c wafAclArn=<its WebAclArn output>` (docs/install.md).
if (booleanContext(app.node.tryGetContext('frontWafStack'), false, 'frontWafStack')) {
  new FrontWafStack(app, `${config.stackName}FrontWaf`, {
    stackName: `${config.stackName}FrontWaf`,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: 'us-east-1' },
    ...readFrontWafRules((key) => app.node.tryGetContext(key)),
  });
}
Tags.of(app).add('project', 'presence-ha');

if (config.nag) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
