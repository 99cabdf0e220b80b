/** Lambda entry of the `nodes` function: its ports, built once per cold start from the environment, traced with X-Ray. */
import { makeNodesHandler } from '../handlers/nodes';
import { traced, tracedPortsFromEnv } from '../handlers/tracing';

export const handler = traced(makeNodesHandler(tracedPortsFromEnv(process.env)));
