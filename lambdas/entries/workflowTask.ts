/** Lambda entry of the `workflowTask` function: its ports, built once per cold start from the environment. */
import { portsFromEnv } from '../handlers/composition';
import { makeWorkflowTaskHandler } from '../handlers/workflowTask';

export const handler = makeWorkflowTaskHandler(portsFromEnv(process.env));
