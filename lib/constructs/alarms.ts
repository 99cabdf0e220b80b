import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FunctionId, WorkflowId } from '../../lambdas/contract';
import { pascalCase } from '../project';

export interface AlarmsProps {
  readonly functions: Readonly<Record<FunctionId, IFunction>>;
  readonly stateMachines: Readonly<Record<WorkflowId, StateMachine>>;
  readonly httpApi: HttpApi;
  /** The function the one-minute schedule runs: its silence is an alarm of its own. */
  readonly sweep: IFunction;
  /** The sweep's census (Maximum per minute): groups with HA on and a node not Normal. */
  readonly groupsNotNormal?: IMetric;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What an operator of an HA pair must hear about: a workflow that failed (users may be
 * stranded), the API failing, any function erroring, and the sweep not running (then
 * nobody detects a silent node). Every alarm notifies one SNS topic; subscribe to it.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    this.topic = new Topic(this, 'Topic', { displayName: `${stackName} alarms`, enforceSSL: true });

    for (const [workflowId, machine] of Object.entries(props.stateMachines)) {
      this.add(`${pascalCase(workflowId)}Failed`, {
        metric: machine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
        description: `A ${workflowId} workflow execution failed: its Fail state's Cause says what the group looks like and what to do.`,
      });
      this.add(`${pascalCase(workflowId)}TimedOut`, {
        metric: machine.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' }),
        description: `A ${workflowId} workflow execution hit its backstop timeout; the operation's deadline ends the operation.`,
      });
    }

    this.add('Api5xx', {
      metric: props.httpApi.metricServerError({ period: FIVE_MINUTES }),
      threshold: 5,
      description:
        'The HTTP API answered 5xx at least 5 times in 5 minutes: bad input is a 4xx by contract, so a 5xx is a fault.',
    });

    for (const [functionId, fn] of Object.entries(props.functions)) {
      this.add(`${pascalCase(functionId)}Errors`, {
        metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        description: `The ${functionId} function failed (uncaught error or timeout).`,
      });
    }

    this.add('SweepNotRunning', {
      metric: props.sweep.metricInvocations({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data means no invocation: exactly the case this alarm is for.
      treatMissingData: TreatMissingData.BREACHING,
      description:
        'The one-minute sweep did not run for 5 minutes: lost heartbeats and expired timers are not being detected.',
    });

    if (props.groupsNotNormal) {
      // A failover is told at once by the notifications topic; this alarm is for a group
      // left failed over or in Failed Mode: 15 minutes not Normal.
      this.add('GroupsNotNormal', {
        metric: props.groupsNotNormal,
        evaluationPeriods: 3,
        description:
          'At least one group has been not Normal for 15 minutes (failed over, Running in Failed Mode, a node Down): run prg status to see which and the recommended action.',
      });
    }
  }

  private add(
    id: string,
    options: {
      metric: IMetric;
      description: string;
      threshold?: number;
      evaluationPeriods?: number;
      comparisonOperator?: ComparisonOperator;
      treatMissingData?: TreatMissingData;
    },
  ): void {
    const alarm = new Alarm(this, id, {
      metric: options.metric,
      alarmName: `${Stack.of(this).stackName}-${id}`,
      alarmDescription: options.description,
      threshold: options.threshold ?? 1,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
