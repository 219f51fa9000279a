/**
 * api/distro-names.ts: a binary name the target's archive already ships is refused unless it is the
 * name the distribution gives this same project, the user allowed it, and ours is newer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distroNameRefusal } from '../../../src/api/distro-names.ts';
import { DistroArchive, type DistroArchiveData } from '../../../src/api/sync/distro-archive.ts';
import { getTarget } from '../../../src/distro/targets.ts';

const base = { schema: 2 as const, imageId: 'img', queriedAt: '', python3dist: {} };
const deb = new DistroArchive({
  ...base, target: 'debian-bookworm', family: 'deb',
  binaries: { 'python3-apt': '2.6.0', 'python3-minimal': '3.11.2-1+b1', 'python3-requests': '2.28.1+dfsg-1' },
  fallback: { 'python-apt': 'python3-apt', requests: 'python3-requests' },
} satisfies DistroArchiveData);
const rpm = new DistroArchive({
  ...base, target: 'fedora-41', family: 'rpm', fallback: {},
  binaries: { 'python3-libs': '3.13.0-1.fc41', 'python3-requests': '2.32.3-1.fc41' }, python3dist: { requests: '2.32.3' },
} satisfies DistroArchiveData);
const bookworm = getTarget('debian-bookworm');
const fedora = getTarget('fedora-41');
const none = new Set<string>();

test('names the archive does not ship are fine', () => {
  assert.equal(distroNameRefusal({ project: 'hello', binary: 'python3-hello', distroVersion: '1.0-1', target: bookworm }, deb, none), undefined);
});

test('another project\'s name is refused even when allowed; an unattributed name only when allowed', () => {
  const apt = distroNameRefusal({ project: 'apt', binary: 'python3-apt', distroVersion: '99-1', target: bookworm }, deb, new Set(['apt']));
  assert.equal(apt?.code, 'E_DISTRO_NAME');
  assert.match(apt!.message, /the package of python-apt/);
  const minimal = { project: 'minimal', binary: 'python3-minimal', distroVersion: '99-1', target: bookworm };
  assert.match(distroNameRefusal(minimal, deb, none)!.hint, /--allow-distro-name minimal/);
  assert.equal(distroNameRefusal(minimal, deb, new Set(['minimal'])), undefined);
  assert.equal(distroNameRefusal({ project: 'libs', binary: 'python3-libs', distroVersion: '99-1', target: fedora }, rpm, none)?.code, 'E_DISTRO_NAME');
});

test('the same project keeps its distribution name, only at a higher version', () => {
  const req = { project: 'requests', binary: 'python3-requests', distroVersion: '2.32.0-1', target: bookworm };
  assert.equal(distroNameRefusal(req, deb, none), undefined);
  assert.match(distroNameRefusal({ ...req, distroVersion: '2.28.0-1' }, deb, none)!.message, /not older than/);
  const f = { project: 'requests', binary: 'python3-requests', distroVersion: '2.32.4-1.fc41', target: fedora };
  assert.equal(distroNameRefusal(f, rpm, none), undefined);
  assert.equal(distroNameRefusal({ ...f, distroVersion: '2.32.3-1.fc41' }, rpm, none)?.code, 'E_DISTRO_NAME');
});
