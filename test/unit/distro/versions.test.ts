/**
 * PEP 440 → Debian/RPM version mapping, judged by the real comparators: `dpkg --compare-versions`
 * for adjacent pairs, dpkg's own Perl implementation (Dpkg::Version) for every pair and for the
 * specifier checks, and rpm's vercmp through one batched `rpm --eval '%{lua: …}'`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compare, satisfies } from '@renovatebot/pep440';
import { debianRelations, debianVersion, rpmEvr, rpmRequires } from '../../../src/distro/versions.js';

// Release lengths vary, but never by trailing zeros (1.0 vs 1.0.0 are equal in PEP 440 only; see
// docs/templates.md). Local labels are pure letters or pure digits.
const RELEASES = ['0.9', '1.0', '1.0.1', '1.1', '1.10', '2.0', '10.0.3', '1!0.5', '1!1.0', '2!0.1'];
const SUFFIXES = [
  '.dev0', '.dev3', 'a1.dev1', 'a1', 'a1.post1.dev1', 'a1.post1', 'a2', 'b1', 'rc1.dev2', 'rc1', 'rc1+abc', 'rc1.post1',
  '', '+abc', '+abc.5', '+abd', '+5', '+5.abc', '+12', '.post0.dev1', '.post1', '.post1+abc', '.post1.dev1', '.post2',
];
const VERSIONS = RELEASES.flatMap((r) => SUFFIXES.map((s) => `${r}${s}`)).sort(compare);

function dpkgLess(a: string, b: string): boolean {
  return spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0;
}

/** dpkg's Perl comparator for many pairs at once: -1/0/1 per line. */
function dpkgCompareMany(pairs: [string, string][]): number[] {
  const out = execFileSync('perl', ['-MDpkg::Version', '-ne', 'chomp; my ($a, $b) = split / /; print version_compare($a, $b), "\\n"'], {
    input: pairs.map(([a, b]) => `${a} ${b}`).join('\n') + '\n',
  });
  return out.toString().trim().split('\n').map(Number);
}

/** rpm.vercmp for many pairs in one rpm process. */
function rpmCompareMany(pairs: [string, string][]): number[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vercmp-'));
  const script = path.join(dir, 'pairs.lua');
  const body = pairs.map(([a, b]) => `r[#r+1]=rpm.vercmp(${JSON.stringify(a)},${JSON.stringify(b)})`).join('\n');
  writeFileSync(script, `local r={}\n${body}\nprint(table.concat(r, " "))\n`);
  const out = execFileSync('rpm', ['--eval', `%{lua: dofile(${JSON.stringify(script)})}`]);
  return out.toString().trim().split(/\s+/).map(Number);
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

test('mapped Debian versions sort like PEP 440 (adjacent pairs with dpkg --compare-versions)', () => {
  assert.ok(VERSIONS.length > 200);
  const deb = VERSIONS.map((v) => `${debianVersion(v)}-1`);
  for (let i = 1; i < deb.length; i++) {
    assert.ok(dpkgLess(deb[i - 1]!, deb[i]!), `${VERSIONS[i - 1]} < ${VERSIONS[i]} but dpkg says ${deb[i - 1]} >= ${deb[i]}`);
  }
});

test('mapped Debian versions agree with PEP 440 on every pair (Dpkg::Version)', () => {
  const pairs: [string, string][] = [];
  const expected: number[] = [];
  for (let i = 0; i < VERSIONS.length; i++) {
    for (let j = i + 1; j < VERSIONS.length; j++) {
      pairs.push([`${debianVersion(VERSIONS[i]!)}-1`, `${debianVersion(VERSIONS[j]!)}-1`]);
      expected.push(sign(compare(VERSIONS[i]!, VERSIONS[j]!)));
    }
  }
  const got = dpkgCompareMany(pairs);
  const wrong = got.map((g, k) => (sign(g) === expected[k] ? '' : `${pairs[k]![0]} vs ${pairs[k]![1]}: ${g}, PEP 440 ${expected[k]}`)).filter(Boolean);
  assert.deepEqual(wrong.slice(0, 10), []);
});

test('mapped RPM versions agree with PEP 440 on every pair (rpm.vercmp)', () => {
  const pairs: [string, string][] = [];
  const expected: number[] = [];
  for (let i = 0; i < VERSIONS.length; i++) {
    for (let j = i + 1; j < VERSIONS.length; j++) {
      pairs.push([rpmEvr(VERSIONS[i]!), rpmEvr(VERSIONS[j]!)]);
      expected.push(sign(compare(VERSIONS[i]!, VERSIONS[j]!)));
    }
  }
  const got = rpmCompareMany(pairs);
  assert.equal(got.length, pairs.length);
  const wrong = got.map((g, k) => (sign(g) === expected[k] ? '' : `${pairs[k]![0]} vs ${pairs[k]![1]}: ${g}, PEP 440 ${expected[k]}`)).filter(Boolean);
  assert.deepEqual(wrong.slice(0, 10), []);
});

test('spellings of the mapping', () => {
  assert.equal(debianVersion('1!2.0rc1.post2.dev3+ubuntu.1'), '1:2.0~rc1+post2~dev3+local.~ubuntu.1');
  assert.equal(debianVersion('1.0-1'), '1.0+post1'); // PEP 440 normalisation comes from @renovatebot/pep440
  assert.equal(rpmEvr('2.0.post1.dev2'), '2.0^post1~dev2');
  assert.throws(() => debianVersion('not a version'), /PEP 440/);
});

// Specifiers whose PEP 440 meaning the mapping reproduces exactly (the documented exceptions,
// `>V` admitting V.postN and RPM `==`/`<=` not admitting V+local, are left out on purpose; so is
// `<1.0rc1`, where @renovatebot/pep440 refuses 1.0a1 although PEP 440 admits it).
const DEB_SPECIFIERS = ['>=1.0', '<2.0', '<=1.0.1', '==1.0', '==1.0.*', '~=1.0.1', '~=1.0', '>=1.0a1,<1.1', '==1!1.0', '>=1.0,!=1.1'];

/** Does a Debian relation set hold for a version? Batched through Dpkg::Version. */
test('Debian relations for PEP 440 specifiers accept exactly the versions PEP 440 accepts', () => {
  const checks: { v: string; spec: string; pairs: [string, string][]; ops: string[] }[] = [];
  for (const spec of DEB_SPECIFIERS) {
    const rel = debianRelations(spec);
    for (const v of VERSIONS) {
      const dv = `${debianVersion(v)}-1`;
      checks.push({ v, spec, pairs: rel.constraints.map((c) => [dv, c.version]), ops: rel.constraints.map((c) => c.op) });
    }
  }
  const results = dpkgCompareMany(checks.flatMap((c) => c.pairs));
  let k = 0;
  const wrong: string[] = [];
  for (const c of checks) {
    const rs = c.ops.map(() => results[k++]!);
    const holds = c.ops.every((op, n) => {
      const r = rs[n]!;
      return op === '>=' ? r >= 0 : op === '<<' ? r < 0 : op === '>>' ? r > 0 : op === '<=' ? r <= 0 : r === 0;
    });
    // `!=` cannot be expressed in Debian; it is reported as dropped, so compare without it.
    const pepSpec = c.spec.split(',').filter((s) => !s.startsWith('!=')).join(',');
    const expected = satisfies(c.v, pepSpec, { prereleases: true });
    if (holds !== expected) wrong.push(`${c.v} ${c.spec}: debian ${holds}, PEP 440 ${expected}`);
  }
  assert.deepEqual(wrong.slice(0, 10), []);
  assert.deepEqual(debianRelations('>=1.0,!=1.1').dropped, ['!=1.1']);
});

/** Evaluates the RPM requires expressions py2distro writes, using rpm.vercmp for every comparison. */
test('RPM requires for PEP 440 specifiers accept exactly the versions PEP 440 accepts', () => {
  const specs = ['>=1.0', '<2.0', '==1.0.*', '~=1.0.1', '!=1.1', '!=1.0.*', '>=1.0a1,<1.1,!=1.0.1'];
  const atom = /python3dist\(x\) (>=|<=|>|<|=) (\S+?)\)*$/;
  const cases: { v: string; spec: string; expr: string }[] = [];
  for (const spec of specs) for (const v of VERSIONS) if (!v.includes('+')) cases.push({ v, spec, expr: rpmRequires('python3dist(x)', spec) });
  const pairs: [string, string][] = [];
  const parsed = cases.map((c) => {
    const groups = c.expr.replace(/^\(|\)$/g, '').split(' with ').map((g) => g.split(' or ').map((a) => {
      const m = atom.exec(a.replace(/^\(/, ''));
      assert.ok(m, `unexpected requires atom ${a}`);
      pairs.push([rpmEvr(c.v), m[2]!]);
      return { op: m[1]!, index: pairs.length - 1 };
    }));
    return { ...c, groups };
  });
  const results = rpmCompareMany(pairs);
  const holds = (op: string, r: number) => (op === '>=' ? r >= 0 : op === '<=' ? r <= 0 : op === '>' ? r > 0 : op === '<' ? r < 0 : r === 0);
  const wrong = parsed
    .filter((c) => c.groups.every((g) => g.some((a) => holds(a.op, results[a.index]!))) !== satisfies(c.v, c.spec, { prereleases: true }))
    .map((c) => `${c.v} ${c.spec} → ${c.expr}`);
  assert.deepEqual(wrong.slice(0, 10), []);
});
