/** Where domain events go: the event bus, whose name handlers read from this variable. */
export const EVENT_BUS_ENV = 'EVENT_BUS_NAME';
/** Source of every event presence-ha puts on the bus (docs/events.md lists them). */
export const EVENT_SOURCE = 'presence-ha';
