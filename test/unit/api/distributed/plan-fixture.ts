/** A small valid plan (two waves, two targets' worth of names) as sync --plan would write it. */
const hex = (c: string) => c.repeat(64);

export function samplePlan(): Record<string, unknown> {
  const job = (id: number, wave: number, name: string, needs: number[] = []) => ({
    id, wave, target: 'debian-bookworm', name, version: '1.0', revision: 1, packageVersion: '1.0-1',
    sdist: { filename: `${name}-1.0.tar.gz`, sha256: hex(String(id)), url: `http://127.0.0.1:9/files/${name}-1.0.tar.gz` },
    extras: [], localBinaries: needs.length ? { alpha: 'python3-alpha' } : {}, packagingDigest: hex('a'),
    dependencyVersions: needs.length ? { alpha: '1.0-1' } : {}, key: hex('b'), previousKey: null, distroBinaries: {},
    provenance: { schema: 1, project: name, version: '1.0', filename: `${name}-1.0.tar.gz`, sha256: hex(String(id)), signature: { status: 'unsigned', policy: 'off' }, tool: 'py2distro 0.1.0' },
    needs,
  });
  return {
    schema: 'py2distro-plan/1', tool: '0.1.0', createdAt: '2026-01-01T00:00:00.000Z',
    options: { maintainer: null, templates: null, runTests: false },
    targets: [{ name: 'debian-bookworm', image: 'localhost/py2distro-builder:debian-bookworm-0123456789ab', imageId: 'sha256:' + hex('c'), distroFallback: { six: 'python3-six' } }],
    waves: [[0, 1, 2], [3]],
    jobs: [job(0, 0, 'alpha'), job(1, 0, 'beta'), job(2, 0, 'delta'), job(3, 1, 'gamma', [0])],
    unchanged: [],
  };
}
