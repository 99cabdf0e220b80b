export type * from './group';
export type * from './events';
export type * from './effects';
