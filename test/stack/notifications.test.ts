/**
 * People are told when a group needs them: a rule on the project's bus per notification,
 * a readable message, subscriptions from context, the GroupsNotNormal alarm and the
 * operations dashboard.
 */
import { Template, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATIONS } from '../../lambdas/contract';
import { notificationTargetsFromContext } from '../../lib/constructs/notifications';
import type { PresenceHaStack } from '../../lib/presence-ha-stack';
import { buildStack } from './lib/synth';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

let stack: PresenceHaStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  stack = buildStack({
    context: {
      alertEmails: 'oncall@example.com,lead@example.com',
      alertWebhooks: 'https://hooks.example.com/presence',
      alertChatWebhook: 'https://hooks.slack.com/services/T0/B0/x',
    },
  }).stack;
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
const busRef = () => ({ Ref: stack.getLogicalId(stack.bus.node.defaultChild as never) });
const topicRef = () => ({ Ref: stack.getLogicalId(stack.notifications.topic.node.defaultChild as never) });

/** The InputTemplate of the rule's SNS target, as the text EventBridge will fill in. */
function snsTemplate(rule: Resource): string {
  const targets = rule.Properties.Targets as {
    Arn: unknown;
    InputTransformer?: { InputTemplate: unknown };
  }[];
  const sns = targets.find((t) => JSON.stringify(t.Arn) === JSON.stringify(topicRef()));
  expect(sns, 'the rule sends to the notifications topic').toBeDefined();
  return JSON.stringify(sns?.InputTransformer?.InputTemplate);
}

describe('notification rules', () => {
  const rules = () =>
    ofType('AWS::Events::Rule').filter(
      (r) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify(busRef()),
    );

  it('has one rule on the project bus per notification, and no other', () => {
    expect(rules()).toHaveLength(NOTIFICATIONS.length);
  });

  it('matches failover started on the presence-ha source', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: busRef(),
      EventPattern: { source: ['presence-ha'], 'detail-type': ['FailoverStarted'] },
    });
  });

  it('tells automatic fallback from a fallback an operator started', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': ['FallbackStarted'],
        detail: { reason: ['AUTOMATIC_FALLBACK'] },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': ['FallbackStarted'],
        detail: { reason: [{ 'anything-but': 'AUTOMATIC_FALLBACK' }] },
      },
    });
  });

  it('matches a node Down and a node Running in Failed Mode', () => {
    for (const to of ['DOWN', 'RUNNING_IN_FAILED_MODE']) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { 'detail-type': ['NodeStateChanged'], detail: { to: [to] } },
      });
    }
  });

  it('sends a readable message: group, nodes, reason, what to do, a console link', () => {
    const failover = rules().find((r) =>
      JSON.stringify(r.Properties.EventPattern).includes('"FailoverStarted"'),
    );
    expect(failover).toBeDefined();
    const text = snsTemplate(failover as Resource);
    for (const path of ['<detail-group>', '<detail-fromNode>', '<detail-toNode>', '<detail-reason>']) {
      expect(text).toContain(path);
    }
    expect(text).toContain('What to do: ');
    expect(text).toContain('prg fallback');
    expect(text).toContain('#dashboards/dashboard/PresenceHa-operations');
    const targets = (failover as Resource).Properties.Targets as {
      InputTransformer: { InputPathsMap: Record<string, string> };
    }[];
    expect(targets[0]?.InputTransformer.InputPathsMap['detail-group']).toBe('$.detail.group');
  });

  it('posts a Slack/Chime payload to the chat webhook through an API destination', () => {
    template.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://hooks.slack.com/services/T0/B0/x',
      HttpMethod: 'POST',
    });
    const node = rules().find((r) => JSON.stringify(r.Properties.EventPattern).includes('"DOWN"'));
    const chat = ((node as Resource).Properties.Targets as { InputTransformer: { InputTemplate: string } }[])
      .map((t) => JSON.stringify(t.InputTransformer.InputTemplate))
      .find((t) => t.includes('Content'));
    expect(chat).toContain('text');
    expect(chat).toContain('<detail-nodeId>');
  });
});

describe('subscriptions from context', () => {
  it('subscribes each email and HTTPS webhook to the notifications topic', () => {
    for (const [protocol, endpoint] of [
      ['email', 'oncall@example.com'],
      ['email', 'lead@example.com'],
      ['https', 'https://hooks.example.com/presence'],
    ]) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: protocol,
        Endpoint: endpoint,
        TopicArn: topicRef(),
      });
    }
  });

  it('refuses a webhook that is not https and an address that is not one', () => {
    expect(() =>
      notificationTargetsFromContext((k) => (k === 'alertWebhooks' ? 'http://x.example' : undefined)),
    ).toThrow(/alertWebhooks.*https/);
    expect(() => notificationTargetsFromContext((k) => (k === 'alertEmails' ? 'oncall' : undefined))).toThrow(
      /alertEmails.*not an email/,
    );
  });

  it('has no subscription and no chat destination without context', () => {
    const plain = Template.fromStack(buildStack().stack);
    plain.resourceCountIs('AWS::SNS::Subscription', 0);
    plain.resourceCountIs('AWS::Events::ApiDestination', 0);
    expect(
      Object.keys(
        plain.findResources('AWS::Events::Rule', { Properties: { EventBusName: Match.anyValue() } }),
      ),
    ).toHaveLength(NOTIFICATIONS.length);
  });
});

describe('groups not Normal and the dashboard', () => {
  it('alarms when a group stays not Normal for 15 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'PresenceHa-GroupsNotNormal',
      MetricName: 'GroupsNotNormal',
      Namespace: 'PresenceHa',
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 3,
      Dimensions: [{ Name: 'service', Value: 'presence-ha' }],
    });
  });

  it('has a dashboard of states, failovers, detection latency, heartbeats, throttles and errors', () => {
    const [dashboard] = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboard?.Properties.DashboardName).toBe('PresenceHa-operations');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const word of [
      'GroupsNotNormal',
      'NodesInState',
      'RUNNING_IN_FAILED_MODE',
      'Failovers',
      'DetectionLatency',
      'Heartbeats',
      'Throttles',
      'Errors',
    ]) {
      expect(body, word).toContain(word);
    }
  });

  it('outputs the notifications topic for subscribing people', () => {
    template.hasOutput('NotificationTopicArn', { Value: topicRef() });
  });
});

describe('tracing', () => {
  const tracingOf = (functionId: string) => {
    const fn = stack.functions[functionId as keyof typeof stack.functions].function;
    return resources[stack.getLogicalId(fn.node.defaultChild as never)]?.Properties.TracingConfig;
  };

  it('traces the admin, sweep and workflow functions with X-Ray', () => {
    for (const id of ['groups', 'groupActions', 'nodes', 'parameters', 'users', 'sweep', 'workflowTask']) {
      expect(tracingOf(id), id).toEqual({ Mode: 'Active' });
    }
  });

  it('leaves the heartbeat untraced, so a steady heartbeat costs no more than before', () => {
    expect(tracingOf('heartbeat')).toBeUndefined();
  });
});
