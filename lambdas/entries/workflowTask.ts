/** Lambda entry of the `workflowTask` function: its ports, built once per cold start from the environment, traced with X-Ray. */
import { makeWorkflowTaskHandler } from '../handlers/workflowTask';
import { annotateTask, traced, tracedPortsFromEnv } from '../handlers/tracing';

export const handler = traced(makeWorkflowTaskHandler(tracedPortsFromEnv(process.env)), annotateTask());
