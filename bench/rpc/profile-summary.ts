/**
 * Reads a V8 .cpuprofile and lists the functions with the most self time, so
 * a benchmark can name its hot spots in plain text.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function hotSpots(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfTime = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!node) return;
    total += delta;
    const frame = node.callFrame;
    const where = frame.url ? `${shorten(frame.url)}:${frame.lineNumber + 1}` : "";
    const key = `${frame.functionName || "(anonymous)"} ${where}`.trim();
    selfTime.set(key, (selfTime.get(key) ?? 0) + delta);
  });
  return [...selfTime]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, time]) => `${((time / total) * 100).toFixed(1).padStart(5)}%  ${name}`)
    .join("\n");
}

function shorten(url: string): string {
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) return url.slice(modules + "node_modules/".length);
  const dist = url.lastIndexOf("/dist/");
  return dist >= 0 ? url.slice(dist + "/dist/".length) : url.replace(/^file:\/\//, "");
}
