import type { Command } from 'commander';
import { ApiClient } from './client';
import { resolveConnection, type Connection } from './config';
import { Output, colourWanted } from './output';

/** The root's options, seen from any command (`optsWithGlobals`), plus the common `--json`. */
export interface GlobalOptions {
  url?: string;
  token?: string;
  /** false with `--no-color`. */
  color?: boolean;
  json?: boolean;
}

/** What a command's action needs: its output, and the API (resolved only when used). */
export interface Context {
  out: Output;
  connection(): Connection;
  api(): ApiClient;
}

/**
 * Builds the context of the command being run. The connection is resolved lazily so
 * that `--help` and usage errors never need a config file or a token.
 */
export function context(cmd: Command): Context {
  const options = cmd.optsWithGlobals<GlobalOptions>();
  const json = options.json === true;
  const out = new Output({ color: !json && colourWanted(process.stdout, options.color !== false), json });
  let connection: Connection | null = null;
  let api: ApiClient | null = null;
  const resolve = () => (connection ??= resolveConnection({ url: options.url, token: options.token }));
  return {
    out,
    connection: resolve,
    api: () => (api ??= new ApiClient(resolve())),
  };
}
