#!/usr/bin/env node
/**
 * The layer rules of docs/ARCHITECTURE.md, checked on every import of src/ (static, dynamic and
 * type-only alike, since a type-only cycle still couples two modules):
 *   cli → api → stages → distro → python → lib        imports point down only; nothing imports cli/
 *   stages/<s>/ is entered through its index.ts only, and only the door of an earlier stage is used
 *   no import cycle.
 * Plain Node, no dependency: `node scripts/check-layers.mjs [SRC_DIR]` (default: src). Exit 1 on a
 * violation, listing each one.
 */
import fs from 'node:fs';
import path from 'node:path';

const STAGES = ['resolve', 'verify', 'fetch', 'inspect', 'render', 'build', 'sign', 'publish'];
// Lower number = lower layer. A file may import its own layer (stages: see below) or a lower one.
const RANK = { lib: 0, python: 1, distro: 2, stages: 3, api: 4, cli: 5, root: 5 };

const srcDir = path.resolve(process.argv[2] ?? 'src');

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Layer and (for stages) stage name of a file, from its path under src/. */
function place(file) {
  const rel = path.relative(srcDir, file).split(path.sep);
  if (rel.length === 1) return rel[0] === 'index.ts' ? { layer: 'root' } : { layer: 'stray' };
  const [top, second] = rel;
  if (top === 'stages') return { layer: 'stages', stage: second, door: rel.length === 3 && rel[2] === 'index.ts' };
  return { layer: top in RANK ? top : 'stray' };
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec.startsWith('.')) continue;
    const abs = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
    out.push({ spec, target: abs });
  }
  return out;
}

const files = walk(srcDir);
const problems = [];
const graph = new Map();

for (const file of files) {
  const from = place(file);
  const rel = path.relative(srcDir, file);
  if (from.layer === 'stray') problems.push(`${rel}: outside the layer folders (src/ holds index.ts and cli/ api/ stages/ distro/ python/ lib/)`);
  const edges = [];
  for (const { spec, target } of importsOf(file)) {
    if (!target.startsWith(srcDir + path.sep)) { problems.push(`${rel}: imports ${spec}, outside src/`); continue; }
    if (!fs.existsSync(target)) { problems.push(`${rel}: imports ${spec}, which does not exist`); continue; }
    edges.push(target);
    const to = place(target);
    const where = `${rel} imports ${spec}`;
    if (to.layer === 'cli' && from.layer !== 'cli') problems.push(`${where}: nothing outside cli/ may import cli/`);
    else if (to.layer === 'root') problems.push(`${where}: src/index.ts is the public surface, not imported from inside`);
    else if (RANK[to.layer] > RANK[from.layer]) problems.push(`${where}: upward import (${from.layer} → ${to.layer})`);
    else if (to.layer === 'stages' && from.stage !== to.stage) {
      if (!to.door) problems.push(`${where}: stage ${to.stage} is entered through stages/${to.stage}/index.ts only`);
      if (from.layer === 'stages') {
        const a = STAGES.indexOf(from.stage), b = STAGES.indexOf(to.stage);
        if (a < 0) problems.push(`${rel}: unknown stage ${from.stage} (stages: ${STAGES.join(', ')})`);
        else if (b < 0 || b >= a) problems.push(`${where}: stage ${from.stage} may use only an earlier stage's door (${STAGES.slice(0, a).join(', ') || 'none'})`);
      }
    }
  }
  graph.set(file, edges);
}

// Cycles: depth-first search, reporting each back edge's cycle once.
const state = new Map();
const stack = [];
const seen = new Set();
function visit(f) {
  state.set(f, 1);
  stack.push(f);
  for (const t of graph.get(f) ?? []) {
    if (state.get(t) === 1) {
      const cycle = stack.slice(stack.indexOf(t)).concat(t).map((x) => path.relative(srcDir, x));
      const key = [...cycle].slice(0, -1).sort().join('|');
      if (!seen.has(key)) { seen.add(key); problems.push(`import cycle: ${cycle.join(' → ')}`); }
    } else if (!state.has(t)) visit(t);
  }
  stack.pop();
  state.set(f, 2);
}
for (const f of files) if (!state.has(f)) visit(f);

if (problems.length) {
  console.error(`check-layers: ${problems.length} problem(s) in ${path.relative(process.cwd(), srcDir) || '.'}`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`check-layers: ${files.length} files, layers and doors respected, no import cycle`);
