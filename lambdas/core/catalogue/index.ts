/**
 * The catalogue: states, reasons and Table 2 as data, with no dependency at all, so that
 * a tool that only shows labels (the CLI starts once per command) loads just this.
 */
export * from './states';
export * from './reasons';
export * from './table2';
