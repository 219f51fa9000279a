/**
 * Build order for one target's closure: dependencies before dependents, grouped into waves whose
 * members do not need each other and so may build concurrently (up to --jobs). Cycles happen in
 * the Python world (two projects requiring each other at runtime); a build never needs its runtime
 * dependencies installed, so the plan breaks a cycle at one edge and says which.
 */
import type { ClosureNode } from './closure.js';

export interface BuildPlan {
  /** Waves in order; every node in wave i depends only on nodes in earlier waves. */
  waves: string[][];
  /** Edges dropped to break cycles, as `from → to`. */
  brokenEdges: [string, string][];
}

export interface PlanNode {
  name: string;
  deps: readonly string[];
}

export function planBuildOrder(nodes: readonly PlanNode[]): BuildPlan {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const deps = new Map(nodes.map((n) => [n.name, n.deps.filter((d) => byName.has(d) && d !== n.name)]));
  const brokenEdges: [string, string][] = [];

  // Depth-first search marks back edges (grey → grey) as the ones to break; the order is by name
  // so the same closure always breaks the same edges.
  const colour = new Map<string, 'grey' | 'black'>();
  const visit = (name: string): void => {
    colour.set(name, 'grey');
    for (const d of [...deps.get(name)!].sort()) {
      const c = colour.get(d);
      if (c === 'grey') {
        brokenEdges.push([name, d]);
        deps.set(name, deps.get(name)!.filter((x) => x !== d));
      } else if (!c) visit(d);
    }
    colour.set(name, 'black');
  };
  for (const name of [...byName.keys()].sort()) if (!colour.has(name)) visit(name);

  const level = new Map<string, number>();
  const levelOf = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    const l = Math.max(-1, ...deps.get(name)!.map(levelOf)) + 1;
    level.set(name, l);
    return l;
  };
  const waves: string[][] = [];
  for (const name of [...byName.keys()].sort()) (waves[levelOf(name)] ??= []).push(name);
  return { waves: waves.filter(Boolean), brokenEdges };
}

/** Everything that (transitively) depends on `changed`, for "rebuild dependents" and "blocked by". */
export function dependentsOf(nodes: readonly PlanNode[], changed: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (out.has(n.name) || changed.has(n.name)) continue;
      if (n.deps.some((d) => changed.has(d) || out.has(d))) {
        out.add(n.name);
        grew = true;
      }
    }
  }
  return out;
}

/** Nodes blocked by the closure or by a blocked dependency, with the first reason found. */
export function blockedNodes(nodes: readonly ClosureNode[]): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const n of nodes) if (n.blocked) reasons.set(n.name, n.blocked.message);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (reasons.has(n.name)) continue;
      const dep = n.deps.find((d) => reasons.has(d));
      if (dep) {
        reasons.set(n.name, `needs ${dep}, which cannot be built: ${reasons.get(dep)}`);
        grew = true;
      }
    }
  }
  return reasons;
}
