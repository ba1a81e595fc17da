/**
 * The event types SUM publishes: each service declares the types it
 * publishes (with a description and an example `data` payload) on its
 * binding, and the server gathers them here. Webhook subscriptions are
 * checked against it, and ListEventTypes serves it.
 */
import type { JsonObject } from "@bufbuild/protobuf";

export interface EventTypeSpec {
  /** Dot-separated, lower-case, e.g. `document.summarized`. */
  readonly type: string;
  readonly description: string;
  /** An example of the event's `data`. */
  readonly example: JsonObject;
}

export class EventCatalogue {
  private readonly byType = new Map<string, EventTypeSpec>();

  add(specs: readonly EventTypeSpec[]): void {
    for (const spec of specs) {
      const existing = this.byType.get(spec.type);
      if (existing !== undefined && existing !== spec) throw new Error(`event type ${spec.type} is declared twice`);
      this.byType.set(spec.type, spec);
    }
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  get(type: string): EventTypeSpec | undefined {
    return this.byType.get(type);
  }

  /** Every type, sorted by name. */
  list(): EventTypeSpec[] {
    return [...this.byType.values()].sort((a, b) => a.type.localeCompare(b.type));
  }
}
