// Fails when gen/ or test/gen/ differ from what `buf generate` writes now:
// generated code is committed and must never be edited by hand.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const targets = [
  { template: "buf.gen.yaml", dir: "gen" },
  { template: "test/buf.gen.yaml", dir: "test/gen" },
];

function listFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

const scratch = mkdtempSync(join(tmpdir(), "sum-gen-"));
const problems = [];
try {
  for (const { template, dir } of targets) {
    const out = join(scratch, dir.replaceAll("/", "_"));
    execFileSync("node_modules/.bin/buf", ["generate", "--template", template, "-o", out], { stdio: "inherit" });
    const fresh = listFiles(join(out, dir));
    const committed = listFiles(dir);
    for (const file of new Set([...fresh, ...committed])) {
      const a = fresh.includes(file) ? readFileSync(join(out, dir, file), "utf8") : undefined;
      const b = committed.includes(file) ? readFileSync(join(dir, file), "utf8") : undefined;
      if (a !== b) problems.push(join(dir, file));
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(`generated code is stale; run \`npm run generate\` and commit:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("generated code is up to date");
