import { InvalidArgumentError } from 'commander';

/**
 * A commander argument parser for a whole number in [min, max]; a bad value is a usage
 * error (exit 2) that names the rule.
 */
export function intIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** The `--json` option of read commands, with one wording everywhere. */
export const JSON_FLAGS = '--json';
export const JSON_HELP = 'print the API answer as JSON (nothing else on stdout)';

/** Formats a help epilogue: `Examples:` and indented lines. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}
