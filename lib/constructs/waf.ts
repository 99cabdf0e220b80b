import { Stack, Token } from 'aws-cdk-lib';
import type { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface FrontWafProps {
  /** Requests one client IP may make in a 5-minute window before it is blocked. */
  readonly requestsPerIpPer5Min: number;
  /** Add AWS managed rule groups (common rules, IP reputation): $1 a month each, more requests inspected. */
  readonly managedRules: boolean;
}

const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
] as const;

/**
 * The web ACL of the optional front (docs/threat-model.md): CloudFront scope, a rate-based
 * rule per client IP and, if asked, AWS managed rule groups. CloudFront only takes web
 * ACLs made in us-east-1, so this construct refuses any other region: deploy the stack
 * there to use the front (a cross-region reference is not built).
 */
export class FrontWaf extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: FrontWafProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region) || region !== 'us-east-1') {
      throw new Error(
        `The WAF front needs the stack in us-east-1 (CloudFront takes web ACLs from there only); this stack's region is ${Token.isUnresolved(region) ? 'not set (pass env.region)' : region}. Deploy with front=none, or in us-east-1.`,
      );
    }
    const visibility = (name: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: name,
      sampledRequestsEnabled: true,
    });
    const rules: CfnWebACL.RuleProperty[] = [
      {
        name: 'RatePerIp',
        priority: 0,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            limit: props.requestsPerIpPer5Min,
            aggregateKeyType: 'IP',
            evaluationWindowSec: 300,
          },
        },
        visibilityConfig: visibility('RatePerIp'),
      },
    ];
    if (props.managedRules) {
      MANAGED_RULE_GROUPS.forEach((name, i) =>
        rules.push({
          name,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(name),
        }),
      );
    }
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description: 'presence-ha front: a rate limit per client IP before CloudFront forwards to the API',
      rules,
      visibilityConfig: visibility('PresenceHaFront'),
    });
  }

  /** Puts this web ACL in front of a distribution (the console's, which routes `/v1/*` to the API). */
  attachTo(distribution: Distribution): void {
    distribution.attachWebAclId(this.webAcl.attrArn);
  }
}
