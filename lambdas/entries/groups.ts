/** Lambda entry of the `groups` function: its ports, built once per cold start from the environment, traced with X-Ray. */
import { makeGroupsHandler } from '../handlers/groups';
import { traced, tracedPortsFromEnv } from '../handlers/tracing';

export const handler = traced(makeGroupsHandler(tracedPortsFromEnv(process.env)));
