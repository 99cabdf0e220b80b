import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Dashboard as CwDashboard,
  GraphWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { NODE_STATE_CODES } from '../../lambdas/core';
import type { FunctionId, WorkflowId } from '../../lambdas/contract';

export interface DashboardProps {
  readonly dashboardName: string;
  readonly functions: Readonly<Record<FunctionId, IFunction>>;
  readonly stateMachines: Readonly<Record<WorkflowId, StateMachine>>;
  readonly httpApi: HttpApi;
  /** Powertools service name: the one dimension of every custom metric. */
  readonly serviceName: string;
}

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * One CloudWatch dashboard an operator opens from a notification: groups not Normal and
 * nodes by state (from the sweep's census), failovers and their detection latency,
 * heartbeats, throttles and errors of every function, the API and the workflows.
 */
export class Dashboard extends Construct {
  readonly dashboard: CwDashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const namespace = Stack.of(this).stackName;
    const custom = (metricName: string, statistic: string, extra: Record<string, string> = {}) =>
      new Metric({
        namespace,
        metricName,
        statistic,
        period: MINUTE,
        dimensionsMap: { service: props.serviceName, ...extra },
      });
    const fns = Object.entries(props.functions) as [FunctionId, IFunction][];
    const perFunction = (metric: (fn: IFunction) => IMetric, label: string) =>
      new MathExpression({
        expression: fns.map((_, i) => `m${i}`).join(' + '),
        usingMetrics: Object.fromEntries(fns.map(([, fn], i) => [`m${i}`, metric(fn)])),
        label,
        period: FIVE_MINUTES,
      });

    this.dashboard = new CwDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# presence-ha ${namespace}\nGroups not Normal and nodes by state come from the sweep's census, once a minute. Notifications link here; \`prg status\` shows the groups themselves.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new SingleValueWidget({
        title: 'Groups not Normal',
        metrics: [custom('GroupsNotNormal', 'Maximum')],
        width: 6,
        height: 6,
      }),
      new GraphWidget({
        title: 'Nodes by state',
        left: NODE_STATE_CODES.map((state) =>
          custom('NodesInState', 'Maximum', { State: state }).with({ label: state }),
        ),
        stacked: true,
        width: 18,
        height: 6,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Operations',
        left: ['Failovers', 'Fallbacks', 'Recoveries', 'FailedOperations'].map((m) =>
          custom(m, 'Sum').with({ period: FIVE_MINUTES, label: m }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Detection latency (s)',
        left: [
          custom('DetectionLatency', 'p50').with({ period: FIVE_MINUTES, label: 'p50' }),
          custom('DetectionLatency', 'Maximum').with({ period: FIVE_MINUTES, label: 'max' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Heartbeats',
        left: [
          custom('Heartbeats', 'Sum').with({ label: 'accepted' }),
          props.functions.heartbeat.metricInvocations({ period: MINUTE, label: 'invocations' }),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Throttles',
        left: [
          perFunction(
            (fn) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
            'Lambda throttles',
          ),
          props.httpApi.metricClientError({ period: FIVE_MINUTES, label: 'API 4xx (includes 429)' }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Errors',
        left: [
          perFunction((fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 'Lambda errors'),
          props.httpApi.metricServerError({ period: FIVE_MINUTES, label: 'API 5xx' }),
          ...Object.entries(props.stateMachines).map(([workflowId, machine]) =>
            machine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum', label: `${workflowId} failed` }),
          ),
        ],
        width: 12,
      }),
    );
  }
}
