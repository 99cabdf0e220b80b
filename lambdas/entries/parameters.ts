/** Lambda entry of the `parameters` function: its ports, built once per cold start from the environment, traced with X-Ray. */
import { makeParametersHandler } from '../handlers/parameters';
import { traced, tracedPortsFromEnv } from '../handlers/tracing';

export const handler = traced(makeParametersHandler(tracedPortsFromEnv(process.env)));
