import { Aws, SecretValue, Stack } from 'aws-cdk-lib';
import {
  ApiDestination,
  Authorization,
  Connection,
  EventField,
  HttpMethod,
  Rule,
  RuleTargetInput,
  type IEventBus,
} from 'aws-cdk-lib/aws-events';
import { ApiDestination as ApiDestinationTarget, SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  EVENT_SOURCE,
  NOTIFICATIONS,
  notificationText,
  type NotificationDefinition,
} from '../../lambdas/contract';
import { pascalCase } from '../project';

/** Where notifications go, from stack context (docs/alerts.md). */
export interface NotificationTargets {
  /** Email addresses subscribed to the topic (each confirms once, from the mail AWS sends). */
  readonly emails: readonly string[];
  /** HTTPS endpoints subscribed to the topic (they receive SNS's JSON envelope and must confirm). */
  readonly webhooks: readonly string[];
  /**
   * An incoming-webhook URL of Slack or Amazon Chime: posted `{ "text": …, "Content": … }`
   * directly by EventBridge, with no SNS envelope and no confirmation.
   */
  readonly chatWebhook?: string;
}

export interface NotificationsProps {
  readonly bus: IEventBus;
  /** The dashboard the messages link to. */
  readonly dashboardName: string;
  /** Default: read from the context keys alertEmails, alertWebhooks, alertChatWebhook. */
  readonly targets?: NotificationTargets;
}

/** A comma-separated list or a JSON array, as `-c key=a,b` or cdk.json give it. */
function listContext(value: unknown, key: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (!items || items.some((i) => typeof i !== 'string')) {
    throw new Error(`Context ${key} must be a comma-separated list or an array of strings`);
  }
  return (items as string[]).map((i) => i.trim()).filter((i) => i !== '');
}

function httpsUrl(url: string, key: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Context ${key}: ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'https:') throw new Error(`Context ${key}: ${url} must be an https:// URL`);
  return url;
}

/**
 * The notification targets of the stack context: `alertEmails` and `alertWebhooks`
 * (comma-separated lists or arrays), `alertChatWebhook` (one URL).
 */
export function notificationTargetsFromContext(context: (key: string) => unknown): NotificationTargets {
  const emails = listContext(context('alertEmails'), 'alertEmails');
  for (const email of emails) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      throw new Error(`Context alertEmails: ${JSON.stringify(email)} is not an email address`);
    }
  }
  const webhooks = listContext(context('alertWebhooks'), 'alertWebhooks').map((u) =>
    httpsUrl(u, 'alertWebhooks'),
  );
  const chat = context('alertChatWebhook');
  if (chat !== undefined && chat !== null && chat !== '' && typeof chat !== 'string') {
    throw new Error('Context alertChatWebhook must be one URL');
  }
  return {
    emails,
    webhooks,
    ...(typeof chat === 'string' && chat !== '' ? { chatWebhook: httpsUrl(chat, 'alertChatWebhook') } : {}),
  };
}

/**
 * Tells people when a group needs them: one EventBridge rule on the project's bus per
 * entry of NOTIFICATIONS (failover started and ended, fallback, automatic fallback,
 * Running in Failed Mode, node Down), each turning the event into a readable message with
 * an input transformer — no function runs, so a notification costs one rule match. The
 * messages go to an SNS topic (email and HTTPS subscriptions from context) and, when
 * configured, straight to a Slack or Chime incoming webhook.
 */
export class Notifications extends Construct {
  readonly topic: Topic;
  readonly rules: Rule[] = [];

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const targets = props.targets ?? notificationTargetsFromContext((k) => this.node.tryGetContext(k));
    this.topic = new Topic(this, 'Topic', {
      displayName: `${stackName} notifications`,
      enforceSSL: true,
    });
    for (const email of targets.emails) this.topic.addSubscription(new EmailSubscription(email));
    for (const url of targets.webhooks) this.topic.addSubscription(new UrlSubscription(url));

    const chat = targets.chatWebhook ? this.chatDestination(targets.chatWebhook) : undefined;
    const consoleLink = `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${props.dashboardName}`;

    for (const definition of NOTIFICATIONS) {
      const message = notificationText(
        definition,
        (name) => EventField.fromPath(`$.detail.${name}`),
        consoleLink,
      );
      const rule = new Rule(this, pascalCase(definition.kind), {
        eventBus: props.bus,
        description: `presence-ha notification ${definition.kind}: ${definition.title.replace(/\{\w+\}/g, '…')}`,
        eventPattern: patternOf(definition),
      });
      rule.addTarget(new SnsTopic(this.topic, { message: RuleTargetInput.fromText(message) }));
      if (chat) {
        rule.addTarget(
          new ApiDestinationTarget(chat, {
            // Slack reads `text`, Chime `Content`; each ignores the other's field.
            event: RuleTargetInput.fromObject({ text: message, Content: message }),
          }),
        );
      }
      this.rules.push(rule);
    }
  }

  private chatDestination(url: string): ApiDestination {
    // Incoming webhooks are authorized by their secret URL; EventBridge still requires a
    // connection with some authorization, so it sends a harmless header.
    const connection = new Connection(this, 'ChatConnection', {
      description: 'Slack/Chime incoming webhook of presence-ha notifications (the URL is the secret)',
      authorization: Authorization.apiKey('x-presence-ha', SecretValue.unsafePlainText('notifications')),
    });
    return new ApiDestination(this, 'ChatWebhook', {
      connection,
      endpoint: url,
      httpMethod: HttpMethod.POST,
      rateLimitPerSecond: 1,
      description: 'Chat webhook of presence-ha notifications',
    });
  }
}

/** The EventBridge pattern of a notification: the same test as `matchesNotification`. */
function patternOf(definition: NotificationDefinition) {
  const field = definition.match.field;
  return {
    source: [EVENT_SOURCE],
    detailType: [definition.match.detailType],
    ...(field
      ? {
          detail: {
            [field.name]: field.equals ? [...field.equals] : [{ 'anything-but': field.anythingBut }],
          },
        }
      : {}),
  };
}
