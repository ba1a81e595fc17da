// Starts the summarizer pool's thread from TypeScript sources (vitest, tsx): a
// thread does not inherit its parent's loader hooks, so it registers tsx itself
// before importing the entry. Compiled code (dist/) never uses this file.
import { register } from "tsx/esm/api";

register();
await import("./summarizer-worker.ts");
