/**
 * An OpenFeature server provider for SUM's flags that evaluates in-process:
 * it keeps a local snapshot fed by `WatchFlags` (every flag, then each
 * change as it commits) and evaluates with the server's own compiled
 * evaluator, so an evaluation is a function call, not a request. When the
 * stream breaks it reconnects with backoff, serving the last snapshot
 * (ProviderEvents.Stale) meanwhile.
 */
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import {
  FlagNotFoundError,
  GeneralError,
  OpenFeatureEventEmitter,
  ProviderEvents,
  StandardResolutionReasons,
  TargetingKeyMissingError,
  TypeMismatchError,
  type EvaluationContext as OpenFeatureContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from "@openfeature/server-sdk";
import { EvaluationErrorCode, EvaluationReason, FlagsService, type Flag } from "../../gen/sum/v1/flags_pb.js";
import { compileFlag, type CompiledFlag } from "../../src/flags/compiled-flag.js";
import type { EvaluationContext, EvaluationEnvironment } from "../../src/flags/evaluation-context.js";

export interface SumFlagsProviderOptions {
  /** A Connect transport to SUM's HTTP port (or a gRPC transport to either port). */
  readonly transport: Transport;
  /** First reconnect delay; doubles up to 30 s. Default 250 ms. */
  readonly reconnectDelayMs?: number;
}

const REASONS: Record<number, string> = {
  [EvaluationReason.STATIC]: StandardResolutionReasons.STATIC,
  [EvaluationReason.DEFAULT]: StandardResolutionReasons.DEFAULT,
  [EvaluationReason.TARGETING_MATCH]: StandardResolutionReasons.TARGETING_MATCH,
  [EvaluationReason.SPLIT]: StandardResolutionReasons.SPLIT,
  [EvaluationReason.DISABLED]: StandardResolutionReasons.DISABLED,
  [EvaluationReason.ERROR]: StandardResolutionReasons.ERROR,
};

const environment: EvaluationEnvironment = { now: Date.now, random: Math.random };

export class SumFlagsProvider implements Provider {
  readonly metadata = { name: "sum-flags" } as const;
  readonly runsOn = "server" as const;
  readonly events = new OpenFeatureEventEmitter();
  private readonly client: Client<typeof FlagsService>;
  private readonly flags = new Map<string, CompiledFlag>();
  private readonly lookup = (key: string) => this.flags.get(key);
  private readonly controller = new AbortController();
  private readonly reconnectDelayMs: number;
  private watching: Promise<void> | undefined;

  constructor(options: SumFlagsProviderOptions) {
    this.client = createClient(FlagsService, options.transport);
    this.reconnectDelayMs = options.reconnectDelayMs ?? 250;
  }

  /** Resolves once the first snapshot has arrived. */
  initialize(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.watching = this.watch(resolve, reject);
    });
  }

  async onClose(): Promise<void> {
    this.controller.abort();
    await this.watching;
  }

  /** Keys of the flags in the local snapshot. */
  keys(): string[] {
    return [...this.flags.keys()];
  }

  resolveBooleanEvaluation(key: string, defaultValue: boolean, context: OpenFeatureContext): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.resolve(key, defaultValue, context, "boolean"));
  }

  resolveStringEvaluation(key: string, defaultValue: string, context: OpenFeatureContext): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.resolve(key, defaultValue, context, "string"));
  }

  resolveNumberEvaluation(key: string, defaultValue: number, context: OpenFeatureContext): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.resolve(key, defaultValue, context, "number"));
  }

  resolveObjectEvaluation<T extends JsonValue>(key: string, defaultValue: T, context: OpenFeatureContext): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.resolve(key, defaultValue, context, "object"));
  }

  private resolve<T>(key: string, defaultValue: T, context: OpenFeatureContext, kind: "boolean" | "string" | "number" | "object"): ResolutionDetails<T> {
    const flag = this.flags.get(key);
    if (flag === undefined) throw new FlagNotFoundError(`flag "${key}" not found`);
    const { targetingKey, ...attributes } = context;
    const local: EvaluationContext = { targetingKey: targetingKey === "" ? undefined : targetingKey, attributes };
    let result;
    try {
      result = flag.evaluate(local, environment, this.lookup);
    } catch (error) {
      throw new GeneralError(`flag "${key}" could not be evaluated: ${String(error)}`);
    }
    if (result.errorCode === EvaluationErrorCode.TARGETING_KEY_MISSING) throw new TargetingKeyMissingError(result.errorMessage);
    if (result.errorCode !== EvaluationErrorCode.UNSPECIFIED) throw new GeneralError(result.errorMessage);
    const reason = REASONS[result.reason] ?? StandardResolutionReasons.UNKNOWN;
    const variant = result.variant === "" ? {} : { variant: result.variant };
    const flagMetadata = { version: Number(flag.version), enabled: result.enabled };
    // No value (a variant or config flag off without an off variant): the caller's default, with the reason, as OFREP does.
    if (result.value === null) return { value: defaultValue, reason, flagMetadata, ...variant };
    const actual = typeof result.value;
    if (actual !== kind) throw new TypeMismatchError(`flag "${key}" serves a ${actual}, not a ${kind}`);
    return { value: result.value as T, reason, flagMetadata, ...variant };
  }

  private async watch(ready: () => void, failed: (error: unknown) => void): Promise<void> {
    let delay = this.reconnectDelayMs;
    let first = true;
    while (!this.controller.signal.aborted) {
      try {
        for await (const message of this.client.watchFlags({}, { signal: this.controller.signal })) {
          const event = message.event;
          if (event.case === "snapshot") {
            this.replace(event.value.flags);
            if (first) ready();
            else this.events.emit(ProviderEvents.Ready);
            first = false;
            delay = this.reconnectDelayMs;
          } else if (event.case === "changed") {
            this.put(event.value);
            this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [event.value.key] });
          } else if (event.case === "deleted") {
            this.flags.delete(event.value);
            this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [event.value] });
          }
        }
      } catch (error) {
        if (this.controller.signal.aborted) return;
        if (first) {
          failed(error);
          return;
        }
        this.events.emit(ProviderEvents.Stale, { message: `flag stream broke; serving the last snapshot: ${String(error)}` });
      }
      if (this.controller.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(delay * 2, 30_000);
    }
  }

  private replace(flags: readonly Flag[]): void {
    this.flags.clear();
    for (const flag of flags) this.put(flag);
  }

  private put(flag: Flag): void {
    try {
      this.flags.set(flag.key, compileFlag(flag, { anyTotalWeight: true }));
    } catch {
      // The server checked it when it was written; a flag this client cannot compile is left out, not served wrongly.
      this.flags.delete(flag.key);
    }
  }
}
