import { test } from 'node:test';
import assert from 'node:assert/strict';
import pep440 from '@renovatebot/pep440';
import { DistroArchive, parseDumpavail, parseFallback, parsePython3distProvides, upstreamFromDistroVersion } from '../../../../src/api/sync/distro-archive.js';
import { computeClosure, type ClosureBackend, type ClosureRequest } from '../../../../src/api/sync/closure.js';
import type { Manifest } from '../../../../src/api/sync/manifest.js';
import { parseRequirementLine } from '../../../../src/api/sync/manifest.js';
import { getTarget } from '../../../../src/distro/targets.js';
import { Py2DistroError } from '../../../../src/lib/errors.js';

const bookworm = getTarget('debian-bookworm');

test('distro versions map to their upstream PEP 440 version', () => {
  assert.equal(upstreamFromDistroVersion('1.16.0-4'), '1.16.0');
  assert.equal(upstreamFromDistroVersion('1:2.28.1+dfsg-1'), '2.28.1');
  assert.equal(upstreamFromDistroVersion('3.0~rc1-2'), '3.0rc1');
  assert.equal(upstreamFromDistroVersion('22.2.0-1~deb12u1'), '22.2.0');
  assert.equal(upstreamFromDistroVersion('0.9.2-1.fc41'), '0.9.2');
});

test('archive indexes: dumpavail, the dh-python fallback table, python3dist provides', () => {
  const binaries = parseDumpavail('Package: python3-six\nVersion: 1.16.0-4\nPackage: python3-attr\nVersion: 22.2.0-1\n');
  assert.deepEqual(binaries, { 'python3-six': '1.16.0-4', 'python3-attr': '22.2.0-1' });
  assert.deepEqual(parseFallback('PyYAML python3-yaml\nattrs python3-attr\n\n'), { pyyaml: 'python3-yaml', attrs: 'python3-attr' });
  assert.deepEqual(parsePython3distProvides('python3dist(six) = 1.16\npython3dist(six) = 1.17\npython3dist(attrs) = 24.2\npython3-six = 1.17-1\n'), { six: '1.17', attrs: '24.2' });
});

const archive = new DistroArchive({
  schema: 2, target: 'debian-bookworm', imageId: 'img', family: 'deb', queriedAt: '',
  binaries: { 'python3-setuptools': '66.1.1-1', 'python3-six': '1.16.0-4', 'python3-attr': '22.2.0-1', 'python3-idna': '3.3-1' },
  fallback: { setuptools: 'python3-setuptools', six: 'python3-six', attrs: 'python3-attr', idna: 'python3-idna' },
  python3dist: {},
});

test('distro lookup goes through the fallback table; name clashes are found', () => {
  assert.equal(archive.lookup('attrs')?.binary, 'python3-attr');
  assert.equal(archive.lookup('Six')?.upstream, '1.16.0');
  assert.equal(archive.lookup('missing'), undefined);
  assert.deepEqual(archive.clashFor('attr', 'python3-attr'), { binary: 'python3-attr', owner: 'attrs' });
  assert.equal(archive.clashFor('attrs', 'python3-attr'), undefined);
});

/** A fake index: project → version → Requires-Dist. */
function fakeBackend(index: Record<string, Record<string, string[]>>, calls: ClosureRequest[] = []): ClosureBackend {
  return {
    async resolve(req) {
      calls.push(req);
      const versions = index[req.name!];
      if (!versions) throw new Py2DistroError('E_NOT_FOUND', `${req.name} is not on the index`);
      const v = pep440.maxSatisfying(Object.keys(versions), req.specifier || '>=0');
      if (!v) throw new Py2DistroError('E_NO_MATCHING_VERSION', `no ${req.name}${req.specifier}`);
      return { name: req.name!, version: v, sha256: `${req.name}-${v}`, requiresDist: versions[v], buildRequires: ['setuptools>=61'], signature: { status: 'unsigned' }, handle: null };
    },
    evaluateMarker(marker, target, extras) {
      const extra = /extra == "([^"]+)"/.exec(marker);
      if (extra) return extras.includes(extra[1]);
      const py = /python_version < "([^"]+)"/.exec(marker);
      if (py) return pep440.lt(target.python.version, py[1]);
      return true;
    },
  };
}

const manifestOf = (...reqs: string[]): Manifest => ({ entries: reqs.map((r, i) => parseRequirementLine(r, `py2distro.yaml:${i + 1}`)), constraints: new Map() });

test('closure: missing dependency is built, satisfied one comes from the distro, markers per target', async () => {
  const backend = fakeBackend({
    top: { '1.0': ['middle>=1', 'six>=1.10', 'attrs', 'tomli; python_version < "3.11"', 'pytest; extra == "test"'] },
    middle: { '1.0': [], '1.2': [], '2.0': [] },
    tomli: { '2.0': [] },
  });
  const c = await computeClosure({ manifest: manifestOf('top', 'middle<2'), target: bookworm, archive, backend, conflictPolicy: 'fail' });
  assert.deepEqual([...c.nodes.keys()].sort(), ['middle', 'top']);
  assert.equal(c.nodes.get('middle')!.version, '1.2');
  assert.deepEqual(c.nodes.get('top')!.deps, ['middle']);
  assert.deepEqual(c.nodes.get('top')!.distroDeps.map((d) => d.provision.binary).sort(), ['python3-attr', 'python3-six']);
  assert.deepEqual(c.conflicts, []);
});

test('closure: a distro version too old is a conflict — built under "build", blocked under "fail"', async () => {
  const index = { top: { '1.0': ['six>=1.17'] }, six: { '1.17.0': [] } };
  const built = await computeClosure({ manifest: manifestOf('top'), target: bookworm, archive, backend: fakeBackend(index), conflictPolicy: 'build' });
  assert.equal(built.nodes.get('six')!.version, '1.17.0');
  assert.deepEqual(built.nodes.get('top')!.deps, ['six']);
  assert.equal(built.conflicts[0].kind, 'distro-too-old');
  assert.equal(built.conflicts[0].decision, 'build');
  const failed = await computeClosure({ manifest: manifestOf('top'), target: bookworm, archive, backend: fakeBackend(index), conflictPolicy: 'fail' });
  assert.match(failed.nodes.get('six')!.blocked!.message, /six>=1.17 is required by top, but debian-bookworm has python3-six 1.16.0-4/);
});

test('closure: a later, stricter requirement moves a project from the distro to ours', async () => {
  const index = { a: { '1': ['six>=1.0'] }, b: { '1': ['c'] }, c: { '1': ['six>=1.17'] }, six: { '1.17.0': [] } };
  const c = await computeClosure({ manifest: manifestOf('a', 'b'), target: bookworm, archive, backend: fakeBackend(index), conflictPolicy: 'build' });
  assert.deepEqual(c.nodes.get('a')!.deps, ['six']);
  assert.deepEqual(c.nodes.get('a')!.distroDeps, []);
});

test('closure: name clash with a distro package, unknown dependencies, excluded roots, constraints', async () => {
  const index = { attr: { '0.3.2': ['nothere'] }, top: { '1': ['middle', 'viaurl @ https://example.invalid/viaurl-1.0.tar.gz'] }, middle: { '1.0': [], '1.5': [] } };
  const manifest = manifestOf('attr', 'top', 'oldonly; python_version < "3.8"');
  manifest.constraints.set('middle', [{ specifier: '<1.5', source: 'c.txt:1' }]);
  const c = await computeClosure({ manifest, target: bookworm, archive, backend: fakeBackend(index), conflictPolicy: 'build' });
  assert.equal(c.conflicts.find((x) => x.kind === 'name-clash')?.owner, 'attrs');
  assert.match(c.nodes.get('nothere')!.blocked!.message, /not on the index/);
  assert.equal(c.nodes.get('middle')!.version, '1.0');
  assert.match(c.nodes.get('top')!.blocked!.message, /requires viaurl from a direct URL/);
  assert.deepEqual(c.excluded.map((e) => e.requirement), ['oldonly']);
});

test('closure: --hash pins apply to the whole closure (pip hash-checking mode): an unhashed dependency is refused, not fetched', async () => {
  const calls: ClosureRequest[] = [];
  const backend = fakeBackend({ top: { '1.0': ['middle>=1'] }, middle: { '1.0': [] } }, calls);
  const hashed = (line: string, h: string) => parseRequirementLine(line, 'requirements.txt:1', [h]);
  const c = await computeClosure({
    manifest: { entries: [hashed('top==1.0', 'a'.repeat(64))], constraints: new Map() }, target: bookworm, archive, backend, conflictPolicy: 'build',
  });
  assert.equal(c.nodes.get('middle')!.blocked?.code, 'E_HASH_MISSING');
  assert.match(c.nodes.get('middle')!.blocked!.message, /middle>=1 \(required by top\) has no --hash .* whole closure/);
  assert.deepEqual(calls.map((r) => r.name), ['top'], 'the unhashed dependency is never resolved or downloaded');
  // Listed with its own --hash, the dependency is resolved with it.
  const calls2: ClosureRequest[] = [];
  const ok = await computeClosure({
    manifest: { entries: [hashed('top==1.0', 'a'.repeat(64)), hashed('middle', 'b'.repeat(64))], constraints: new Map() },
    target: bookworm, archive, backend: fakeBackend({ top: { '1.0': ['middle>=1'] }, middle: { '1.0': [] } }, calls2), conflictPolicy: 'build',
  });
  assert.equal(ok.nodes.get('middle')!.blocked, undefined);
  assert.deepEqual(calls2.find((r) => r.name === 'middle')!.hashes, ['b'.repeat(64)]);
  // Without any --hash, nothing changes.
  const plain = await computeClosure({ manifest: manifestOf('top'), target: bookworm, archive, backend: fakeBackend({ top: { '1.0': ['middle>=1'] }, middle: { '1.0': [] } }), conflictPolicy: 'build' });
  assert.equal(plain.nodes.get('middle')!.blocked, undefined);
});

test('closure with prefetch hints: the same closure and the same resolve calls, in order; no hint for what the walk would not resolve', async () => {
  const scenarios: { index: Record<string, Record<string, string[]>>; manifest: () => Manifest; policy: 'build' | 'fail' }[] = [
    { index: { top: { '1.0': ['middle>=1', 'six>=1.10', 'attrs'] }, middle: { '1.0': [], '1.2': [], '2.0': [] } }, manifest: () => manifestOf('top', 'middle<2'), policy: 'fail' },
    { index: { a: { '1': ['six>=1.0'] }, b: { '1': ['c'] }, c: { '1': ['six>=1.17'] }, six: { '1.17.0': [] } }, manifest: () => manifestOf('a', 'b'), policy: 'build' },
    { index: { top: { '1.0': ['six>=1.17'] }, six: { '1.17.0': [] } }, manifest: () => manifestOf('top'), policy: 'fail' },
    {
      index: { top: { '1.0': ['middle>=1'] }, middle: { '1.0': [] } }, policy: 'build',
      manifest: () => ({ entries: [parseRequirementLine('top==1.0', 'requirements.txt:1', ['a'.repeat(64)])], constraints: new Map() }),
    },
  ];
  for (const s of scenarios) {
    const plainCalls: ClosureRequest[] = [];
    const plain = await computeClosure({ manifest: s.manifest(), target: bookworm, archive, backend: fakeBackend(s.index, plainCalls), conflictPolicy: s.policy });
    const calls: ClosureRequest[] = [];
    const hints: ClosureRequest[] = [];
    const backend = { ...fakeBackend(s.index, calls), prefetch: (r: ClosureRequest) => void hints.push(r) };
    const hinted = await computeClosure({ manifest: s.manifest(), target: bookworm, archive, backend, conflictPolicy: s.policy });
    assert.deepEqual(calls, plainCalls, 'the walk asks the same, in the same order');
    assert.deepEqual(JSON.stringify([...hinted.nodes], (k, v) => (k === 'handle' ? undefined : v)), JSON.stringify([...plain.nodes], (k, v) => (k === 'handle' ? undefined : v)));
    assert.deepEqual(hinted.conflicts, plain.conflicts);
    // What the distro provides acceptably and what hash-checking mode refuses is never asked ahead.
    assert.ok(!hints.some((h) => h.name === 'attrs' || (h.name === 'six' && !h.specifier.includes('1.17'))), JSON.stringify(hints));
    if (s.manifest().entries[0]!.hashes.length) assert.deepEqual(hints.map((h) => h.name), ['top']);
    // Every resolve was hinted first (so its answers were on their way).
    for (const c of calls) assert.ok(hints.some((h) => JSON.stringify(h) === JSON.stringify(c)), `not hinted: ${JSON.stringify(c)}`);
  }
});

test('prefetchRoots: the manifest projects with their constraints, markers applied, local sdists and unhashed roots in hash mode left out', async () => {
  const { prefetchRoots } = await import('../../../../src/api/sync/closure.js');
  const hints: ClosureRequest[] = [];
  const backend = { ...fakeBackend({}), prefetch: (r: ClosureRequest) => void hints.push(r) };
  const manifest = manifestOf('top>=1', 'old; python_version < "3.8"', 'other');
  manifest.constraints.set('top', [{ specifier: '<3', source: 'c.txt:1' }]);
  prefetchRoots(manifest, bookworm, backend);
  assert.deepEqual(hints.map((h) => `${h.name}${h.specifier}`), ['top>=1,<3', 'other']);
  const hashed: ClosureRequest[] = [];
  prefetchRoots(
    { entries: [parseRequirementLine('top==1.0', 'r.txt:1', ['a'.repeat(64)]), parseRequirementLine('other', 'r.txt:2')], constraints: new Map() },
    bookworm, { ...fakeBackend({}), prefetch: (r: ClosureRequest) => void hashed.push(r) },
  );
  assert.deepEqual(hashed.map((h) => h.name), ['top']);
});
