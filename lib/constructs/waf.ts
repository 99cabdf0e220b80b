import { CfnOutput, Stack, Token, type StackProps } from 'aws-cdk-lib';
import type { CfnDistribution, Distribution } from 'aws-cdk-lib/aws-cloudfront';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { FRONT_ORIGIN_HEADER } from '../../lambdas/app';

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
 * ACLs made in us-east-1, so this construct refuses any other region: a stack elsewhere
 * takes the ARN of one made by {@link FrontWafStack} in us-east-1 (context `wafAclArn`).
 */
export class FrontWaf extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: FrontWafProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region) || region !== 'us-east-1') {
      throw new Error(
        `The WAF front's web ACL must be made in us-east-1 (CloudFront takes web ACLs from there only); this stack's region is ${Token.isUnresolved(region) ? 'not set (pass env.region)' : region}. Deploy the companion stack in us-east-1 first (npx cdk deploy -c frontWafStack=true <stackName>FrontWaf) and pass its WebAclArn output as -c wafAclArn=…, or deploy this stack in us-east-1 (docs/install.md).`,
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

/**
 * The companion stack for a control plane outside us-east-1: only the front's web ACL,
 * in us-east-1, with its ARN as the output `WebAclArn`, which the main stack takes as
 * context `wafAclArn` (docs/install.md). A plain output and a context value rather than a
 * cross-region reference: no custom resource or SSM parameter pair to keep in step, and
 * the web ACL can be replaced without touching the main stack's other resources.
 */
export class FrontWafStack extends Stack {
  readonly waf: FrontWaf;

  constructor(scope: Construct, id: string, props: StackProps & FrontWafProps) {
    super(scope, id, {
      description:
        'presence-ha front: the CloudFront web ACL (us-east-1) of a control plane deployed in another region',
      ...props,
    });
    this.waf = new FrontWaf(this, 'FrontWaf', props);
    new CfnOutput(this, 'WebAclArn', {
      value: this.waf.webAcl.attrArn,
      description: 'Pass to the main stack: npx cdk deploy -c front=waf -c wafAclArn=<this value> …',
    });
  }
}

/**
 * Makes CloudFront send the origin secret header on its requests to the API origin
 * (`originHost`), so that the functions can refuse requests that skipped the front. The
 * console's construct builds that origin; this finds it by host and adds the header
 * through the distribution's CloudFormation properties, and says so if it is not there.
 * The value is a Secrets Manager dynamic reference, resolved by CloudFormation at deploy.
 */
export function sendOriginSecret(distribution: Distribution, originHost: string, headerValue: string): void {
  const cfn = distribution.node.defaultChild as CfnDistribution;
  const stack = Stack.of(distribution);
  const config = stack.resolve(cfn.distributionConfig) as { origins?: { domainName?: unknown }[] };
  const host = JSON.stringify(stack.resolve(originHost));
  const index = (config.origins ?? []).findIndex((o) => JSON.stringify(o.domainName) === host);
  if (index < 0) {
    throw new Error(
      `The WAF front needs the distribution's API origin (${host}) to add its origin secret header, and the distribution has none: the console must route /v1/* to the API.`,
    );
  }
  cfn.addPropertyOverride(`DistributionConfig.Origins.${index}.OriginCustomHeaders`, [
    { HeaderName: FRONT_ORIGIN_HEADER, HeaderValue: headerValue },
  ]);
}
