// Moved to core/events.ts (one typed emitter for every component); this re-export keeps
// sfu/media's imports working until they are pointed there.
export { TypedEmitter, type EventMap, type Listener, type TypedEvents, type Unsubscribe } from "../../core/events.js";
