/**
 * PEP 508 environment markers, evaluated for a target (its Python version and platform) instead of
 * for the machine py2distro runs on. Grammar and semantics: PEP 508 "Environment Markers" and the
 * packaging.python.org "Dependency specifiers" spec: a version operator whose operands both parse as
 * PEP 440 compares versions, otherwise Python string comparison; `extra` compares normalised names.
 */
import { satisfies, valid } from '@renovatebot/pep440';
import { Py2DistroError } from '../lib/errors.js';
import { normalizeName } from './requirement.js';

export const MARKER_VARIABLES = [
  'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_release', 'platform_system',
  'platform_version', 'platform_machine', 'platform_python_implementation', 'implementation_name',
  'implementation_version', 'extra',
] as const;
export type MarkerVariable = (typeof MARKER_VARIABLES)[number];
export type MarkerEnv = Record<MarkerVariable, string>;

/** Marker values for a target. All targets are CPython on Linux; the machine is assumed x86_64. */
export function markerEnvironment(target: { python: { version: string; fullVersion: string } }, machine = 'x86_64'): MarkerEnv {
  return {
    python_version: target.python.version,
    python_full_version: target.python.fullVersion,
    os_name: 'posix',
    sys_platform: 'linux',
    platform_release: '',
    platform_system: 'Linux',
    platform_version: '',
    platform_machine: machine,
    platform_python_implementation: 'CPython',
    implementation_name: 'cpython',
    implementation_version: target.python.fullVersion,
    extra: '',
  };
}

type Node = BoolNode | CmpNode;
interface BoolNode { kind: 'and' | 'or'; left: Node; right: Node }
interface CmpNode { kind: 'cmp'; left: Operand; op: string; right: Operand }
type Operand = { variable: MarkerVariable } | { literal: string };

const TOKEN = /\s*(\(|\)|===|==|!=|~=|<=|>=|<|>|not\s+in\b|in\b|and\b|or\b|'[^']*'|"[^"]*"|[A-Za-z_.]+)/y;

function tokenize(marker: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < marker.length) {
    if (/^\s*$/.test(marker.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(marker);
    if (!m) throw markerError(marker, `unexpected text at "${marker.slice(pos, pos + 20)}"`);
    tokens.push(m[1]!.replace(/\s+/g, ' '));
    pos = TOKEN.lastIndex;
  }
  return tokens;
}

function markerError(marker: string, why: string): Py2DistroError {
  return new Py2DistroError('E_METADATA', `invalid environment marker "${marker}": ${why}`);
}

/** Parses a marker into a tree; throws E_METADATA on anything PEP 508 does not allow. */
export function parseMarker(marker: string): Node {
  const tokens = tokenize(marker);
  let i = 0;
  const peek = () => tokens[i];
  const operand = (): Operand => {
    const t = tokens[i++];
    if (t === undefined) throw markerError(marker, 'unexpected end');
    if (/^['"]/.test(t)) return { literal: t.slice(1, -1) };
    // setuptools-era aliases (os.name, sys.platform, python_implementation) are still seen in old sdists.
    const alias: Record<string, MarkerVariable> = {
      'os.name': 'os_name', 'sys.platform': 'sys_platform', python_implementation: 'platform_python_implementation',
      'platform.version': 'platform_version', 'platform.machine': 'platform_machine',
      'platform.python_implementation': 'platform_python_implementation',
    };
    const name = alias[t] ?? t;
    if (!(MARKER_VARIABLES as readonly string[]).includes(name)) throw markerError(marker, `unknown variable "${t}"`);
    return { variable: name as MarkerVariable };
  };
  const expr = (): Node => {
    if (peek() === '(') {
      i++;
      const inner = or();
      if (tokens[i++] !== ')') throw markerError(marker, 'missing ")"');
      return inner;
    }
    const left = operand();
    const op = tokens[i++];
    if (!op || !/^(===|==|!=|~=|<=|>=|<|>|in|not in)$/.test(op)) throw markerError(marker, `expected an operator, got "${op ?? ''}"`);
    return { kind: 'cmp', left, op, right: operand() };
  };
  const and = (): Node => {
    let left = expr();
    while (peek() === 'and') { i++; left = { kind: 'and', left, right: expr() }; }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peek() === 'or') { i++; left = { kind: 'or', left, right: and() }; }
    return left;
  };
  const tree = or();
  if (i !== tokens.length) throw markerError(marker, `unexpected "${tokens[i]}"`);
  return tree;
}

function compare(lhs: string, op: string, rhs: string, isExtra: boolean): boolean {
  if (isExtra) { lhs = normalizeName(lhs); rhs = normalizeName(rhs); }
  if (op === 'in') return rhs.includes(lhs);
  if (op === 'not in') return !rhs.includes(lhs);
  if (op !== '===' && !isExtra && valid(lhs) && (op === '~=' ? valid(rhs) : valid(rhs.replace(/\.\*$/, '')))) {
    return satisfies(lhs, `${op}${rhs}`, { prereleases: true });
  }
  switch (op) {
    case '==': case '===': return lhs === rhs;
    case '!=': return lhs !== rhs;
    case '<': return lhs < rhs;
    case '<=': return lhs <= rhs;
    case '>': return lhs > rhs;
    case '>=': return lhs >= rhs;
    default: return false; // ~= on non-versions has no meaning; PEP 508 says the marker is then false.
  }
}

function evaluateNode(node: Node, env: MarkerEnv): boolean {
  if (node.kind === 'cmp') return evaluateComparison(node, env);
  return node.kind === 'and'
    ? evaluateNode(node.left, env) && evaluateNode(node.right, env)
    : evaluateNode(node.left, env) || evaluateNode(node.right, env);
}

function evaluateComparison(node: CmpNode, env: MarkerEnv): boolean {
  const value = (o: Operand) => ('literal' in o ? o.literal : env[o.variable]);
  const isExtra = ('variable' in node.left && node.left.variable === 'extra') || ('variable' in node.right && node.right.variable === 'extra');
  return compare(value(node.left), node.op, value(node.right), isExtra);
}

/**
 * True when the marker holds on the target for the base install or for any of the requested extras.
 * An empty marker always holds.
 */
export function evaluateMarker(marker: string | undefined, env: MarkerEnv, extras: readonly string[] = []): boolean {
  if (!marker || !marker.trim()) return true;
  const tree = parseMarker(marker);
  return ['', ...extras].some((extra) => evaluateNode(tree, { ...env, extra }));
}
