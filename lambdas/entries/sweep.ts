/** Lambda entry of the `sweep` function: its ports, built once per cold start from the environment. */
import { portsFromEnv } from '../handlers/composition';
import { makeSweepHandler } from '../handlers/sweep';

export const handler = makeSweepHandler(portsFromEnv(process.env));
