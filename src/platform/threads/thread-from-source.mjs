// Starts a thread's TypeScript entry (vitest, tsx): a thread inherits neither
// its parent's loader hooks nor `--import` from execArgv, so it registers tsx
// itself, then imports the entry named by the last argument. Compiled code
// (dist/) starts its entries directly and never uses this file.
import { register } from "tsx/esm/api";

register();
await import(process.argv.at(-1));
