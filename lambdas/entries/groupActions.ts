/** Lambda entry of the `groupActions` function: its ports, built once per cold start from the environment, traced with X-Ray. */
import { makeGroupActionsHandler } from '../handlers/groupActions';
import { traced, tracedPortsFromEnv } from '../handlers/tracing';

export const handler = traced(makeGroupActionsHandler(tracedPortsFromEnv(process.env)));
