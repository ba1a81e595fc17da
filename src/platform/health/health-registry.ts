/**
 * What the health service reports: every served service by name, plus the
 * overall status under "". A service is NOT_SERVING while a dependency it
 * declared (the database) is down, and everything is NOT_SERVING once
 * shutdown begins. Listeners hear about every change.
 */
import type { Dependency } from "../rpc/service-binding.js";

export type ServingStatus = "SERVING" | "NOT_SERVING";

/** The name under which the overall status is reported (gRPC health convention). */
export const OVERALL = "";

export class HealthRegistry {
  private readonly services = new Map<string, readonly Dependency[]>([[OVERALL, []]]);
  private readonly down = new Set<Dependency>();
  private readonly listeners = new Set<() => void>();
  private shuttingDown = false;

  register(service: string, dependsOn: readonly Dependency[]): void {
    this.services.set(service, dependsOn);
    this.notify();
  }

  has(service: string): boolean {
    return this.services.has(service);
  }

  /** The status of `service`, or undefined when no such service is registered. */
  status(service: string): ServingStatus | undefined {
    const dependsOn = this.services.get(service);
    if (dependsOn === undefined) return undefined;
    if (this.shuttingDown) return "NOT_SERVING";
    // The overall status follows every dependency of every service.
    const failing = service === OVERALL ? this.down.size > 0 : dependsOn.some((dependency) => this.down.has(dependency));
    return failing ? "NOT_SERVING" : "SERVING";
  }

  all(): Map<string, ServingStatus> {
    const statuses = new Map<string, ServingStatus>();
    for (const service of this.services.keys()) statuses.set(service, this.status(service)!);
    return statuses;
  }

  setDependency(dependency: Dependency, available: boolean): void {
    const changed = available ? this.down.delete(dependency) : !this.down.has(dependency);
    if (!available) this.down.add(dependency);
    if (changed) this.notify();
  }

  isDependencyAvailable(dependency: Dependency): boolean {
    return !this.down.has(dependency);
  }

  /** Marks everything NOT_SERVING for good: the process is going away. */
  beginShutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.notify();
  }

  /** Calls `listener` after every change; returns a function that unsubscribes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
