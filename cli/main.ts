/**
 * Entry point of `prg` (bin/prg.mjs imports it): runs the command and turns the outcome
 * into the documented exit code (see errors.ts).
 */
import { CommanderError } from 'commander';
import pc from 'picocolors';
import { ExitCode } from './errors';
import { colourWanted, terminalSafe } from './output';
import { buildProgram } from './program';
import { reportError } from './report';

/** The exit code for commander's own exits: help and version are fine, anything else is usage. */
export function commanderExitCode(e: CommanderError): number {
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.OK;
  return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
}

// `prg events | head -3` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(ExitCode.OK);
  throw e;
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exitCode = commanderExitCode(e);
  else {
    const colour = colourWanted(process.stderr, !process.argv.includes('--no-color'));
    const colours = pc.createColors(colour);
    // An error may quote the API's problem details, which may quote what a node reported.
    process.exitCode = reportError(e, colours, (line) =>
      process.stderr.write(`${terminalSafe(line, colour)}\n`),
    );
  }
}
