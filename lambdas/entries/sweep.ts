/** Lambda entry of the `sweep` function: its ports, built once per cold start from the environment, traced with X-Ray. */
import { makeSweepHandler } from '../handlers/sweep';
import { traced, tracedPortsFromEnv } from '../handlers/tracing';

export const handler = traced(makeSweepHandler(tracedPortsFromEnv(process.env)));
