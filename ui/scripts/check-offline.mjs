// Fails if the built app (dist/) would load anything from the network: a remote url() or
// @import in CSS, or a remote src/href in HTML. The app runs offline under a CSP that allows
// only its own files. (Error-message links inside the JS, e.g. react.dev/errors, load nothing.)
import fs from "node:fs";
import path from "node:path";

const dist = path.resolve(import.meta.dirname, "..", "dist");
if (!fs.existsSync(dist)) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(1);
}

const remote = /^(https?:)?\/\//i;
const problems = [];

function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else check(file);
  }
}

function check(file) {
  const rel = path.relative(dist, file);
  if (file.endsWith(".css")) {
    const css = fs.readFileSync(file, "utf8");
    for (const m of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
      if (remote.test(m[1])) problems.push(`${rel}: url(${m[1]})`);
    }
    for (const m of css.matchAll(/@import\s+(?:url\()?["']?([^"');]+)/g)) {
      if (remote.test(m[1])) problems.push(`${rel}: @import ${m[1]}`);
    }
  } else if (file.endsWith(".html")) {
    const html = fs.readFileSync(file, "utf8");
    for (const m of html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g)) {
      if (remote.test(m[1])) problems.push(`${rel}: ${m[0]}`);
    }
  }
}

walk(dist);
if (problems.length > 0) {
  console.error(`dist/ would load from the network:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("check-offline: dist/ loads no remote font, style or script");
