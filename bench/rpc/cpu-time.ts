/**
 * CPU time a process has used (user + system), read from /proc. The RPC
 * benchmark divides it by the requests served: CPU per request is what a
 * server's capacity is made of, and unlike requests per second it does not
 * move when other work on a shared machine takes the core for a while.
 */
import { readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc reports CPU time in these ticks on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}
