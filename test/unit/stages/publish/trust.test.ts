/** The layout grammar py2distro accepts back from a repository (stages/publish/trust.ts, yum-state.ts, yum-published.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPoolPath, poolPathFor, GENERATION, RPM_FILE } from '../../../../src/stages/publish/trust.js';
import { parsePrimary } from '../../../../src/stages/publish/yum-state.js';
import { parseRepomd } from '../../../../src/stages/publish/yum-published.js';
import { parsePackages, parseRelease } from '../../../../src/stages/publish/apt/state.js';

const corrupt = (e: unknown) => (e as { code?: string }).code === 'E_REPO_CORRUPT';

test('pool paths keep a non-zero epoch; Filenames outside the layout are refused', () => {
  const info = { package: 'python3-a', architecture: 'all', source: 'python-a' };
  assert.equal(poolPathFor({ ...info, version: '1:2.0-1' }, 'bookworm'), 'pool/bookworm/main/p/python3-a_1:2.0-1_all.deb');
  assert.equal(poolPathFor({ ...info, version: '2.0-1' }, 'bookworm'), 'pool/bookworm/main/p/python3-a_2.0-1_all.deb');
  assert.equal(poolPathFor({ ...info, version: '0:2.0-1' }, 'bookworm'), 'pool/bookworm/main/p/python3-a_2.0-1_all.deb');
  assert.equal(poolPathFor({ package: 'libfoo1', version: '1.0', architecture: 'amd64', source: 'libfoo' }, 'trixie'), 'pool/trixie/main/libf/libfoo1_1.0_amd64.deb');
  const e = { package: 'python3-a', version: '1:2.0-1', architecture: 'all' };
  checkPoolPath('pool/bookworm/main/p/python3-a_1:2.0-1_all.deb', e, 'bookworm');
  for (const bad of [
    'pool/bookworm/main/p/../../../../etc/passwd', '/etc/passwd', 'pool/trixie/main/p/python3-a_1:2.0-1_all.deb',
    'pool/bookworm/main/p/python3-b_1:2.0-1_all.deb', 'pool/bookworm/main/q/python3-a_1:2.0-1_all.deb',
    'pool/bookworm/main/p/python3-a_2.0-1_all.deb', // the new layout always keeps the epoch
    'pool/bookworm/main/p/python3-a_3.0-1_all.deb', 'pool/bookworm/main/p/sub/python3-a_1:2.0-1_all.deb',
    'pool/bookworm/main/p/python3-a_1:2.0-1_amd64.deb', 'pool/bookworm/contrib/p/python3-a_1:2.0-1_all.deb', 'dists/bookworm/InRelease',
  ]) assert.throws(() => checkPoolPath(bad, e, 'bookworm'), corrupt, bad);
});

test('the layout of py2distro 0.1 (pool/main/<prefix>/<source>/<codename>/) is still accepted for what it lists', () => {
  const e = { package: 'python3-a', version: '1:2.0-1', architecture: 'all' };
  checkPoolPath('pool/main/p/python-a/bookworm/python3-a_1:2.0-1_all.deb', e, 'bookworm');
  checkPoolPath('pool/main/p/python-a/bookworm/python3-a_2.0-1_all.deb', e, 'bookworm'); // written without epoch then
  for (const bad of [
    'pool/main/p/python-a/bookworm/../../../../../etc/passwd', 'pool/main/p/python-a/trixie/python3-a_2.0-1_all.deb',
    'pool/main/p/python-a/bookworm/python3-b_2.0-1_all.deb', 'pool/main/q/python-a/bookworm/python3-a_2.0-1_all.deb',
    'pool/main/p/python-a/bookworm/python3-a_3.0-1_all.deb', 'pool/main/p/python-a/bookworm/sub/python3-a_2.0-1_all.deb',
    'pool/main/p/python-a/bookworm/python3-a_2.0-1_amd64.deb',
  ]) assert.throws(() => checkPoolPath(bad, e, 'bookworm'), corrupt, bad);
});

test('generation names and rpm file names: no "/" and no climbing', () => {
  assert.ok(GENERATION.test('repodata.20261201-080255811-19298'));
  for (const bad of ['../../elsewhere', 'repodata.x', '/tmp', 'repodata.20261201-080255811-1/../x']) assert.ok(!GENERATION.test(bad), bad);
  assert.ok(RPM_FILE.test('Packages/python3-a-1.0-1.noarch.rpm'));
  for (const bad of ['Packages/../x.rpm', '../Packages/a-1-1.noarch.rpm', 'Packages/sub/a-1-1.noarch.rpm', 'a-1-1.noarch.rpm']) assert.ok(!RPM_FILE.test(bad), bad);
});

test('Release and Packages must be what py2distro writes', () => {
  const sums = ` ${'a'.repeat(64)} 10 main/binary-amd64/Packages`;
  const ok = `Origin: o\nLabel: l\nSuite: bookworm\nCodename: bookworm\nDate: x\nValid-Until: y\nArchitectures: amd64\nComponents: main\nDescription: d\nAcquire-By-Hash: yes\nSHA256:\n${sums}\n`;
  assert.equal(parseRelease(ok, 'bookworm').sha256.size, 1);
  assert.throws(() => parseRelease(ok, 'trixie'), corrupt);
  assert.throws(() => parseRelease(ok.replace('Components: main\n', 'Components: main\nExtra: 1\n'), 'bookworm'), corrupt);
  assert.throws(() => parseRelease(ok.replace('main/binary-amd64/Packages', '../../x'), 'bookworm'), corrupt);
  const entry = 'Package: python3-a\nVersion: 1.0\nArchitecture: all\nFilename: pool/bookworm/main/p/python3-a_1.0_all.deb\nSize: 3\nSHA256: ' + 'b'.repeat(64) + '\n';
  assert.equal(parsePackages(entry, 'bookworm').length, 1);
  assert.throws(() => parsePackages(entry.replace('Size: 3', 'Size: -1'), 'bookworm'), corrupt);
  assert.throws(() => parsePackages(entry.replace('python3-a_1.0_all', '../../python3-a_1.0_all'), 'bookworm'), corrupt);
});

test('Packages read back: one pass, as strict as the deb822 parser, paragraphs kept verbatim', () => {
  const entry = (n: string) => `Package: python3-${n}\nVersion: 1.0\nArchitecture: all\nDescription: d\n more\n .\n end\n`
    + `Filename: pool/bookworm/main/p/python3-${n}_1.0_all.deb\nSize: 3\nSHA256: ${'b'.repeat(64)}`;
  const parsed = parsePackages(`${entry('a')}\n\n${entry('b')}\n`, 'bookworm');
  assert.deepEqual(parsed.map((e) => [e.package, e.version, e.size, e.text]), [['python3-a', '1.0', 3, entry('a')], ['python3-b', '1.0', 3, entry('b')]]);
  for (const [why, text] of [
    ['duplicate field', entry('a').replace('Size: 3', 'Size: 3\nsize: 4')],
    ['duplicate key field, other case', entry('a').replace('Version: 1.0', 'Version: 1.0\nVERSION: 9.9')],
    ['continuation first', ` x\n${entry('a')}`],
    ['blank continuation', entry('a').replace(' end', ' end\n ')],
    ['no colon', entry('a').replace('Size: 3', 'Size 3')],
    ['comment line', `#x: y\n${entry('a')}`],
    ['NUL', entry('a').replace('d\n', 'd\0\n')],
    ['CR', entry('a').replace('d\n', 'd\r\n')],
    ['missing SHA256', entry('a').replace(/\nSHA256: .*/, '')],
  ]) assert.throws(() => parsePackages(text!, 'bookworm'), corrupt, why);
});

test('repomd.xml and primary.xml: only the createrepo_c documents py2distro publishes', () => {
  const data = (type: string, h: string) => `  <data type="${type}">\n    <checksum type="sha256">${h}</checksum>\n    <open-checksum type="sha256">${h}</open-checksum>\n`
    + `    <location href="repodata/${h}-${type}.xml.gz"/>\n    <timestamp>1</timestamp>\n    <size>1</size>\n    <open-size>1</open-size>\n  </data>\n`;
  const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n  <revision>1</revision>\n${body}</repomd>\n`;
  const good = doc(data('primary', 'a'.repeat(64)) + data('filelists', 'b'.repeat(64)) + data('other', 'c'.repeat(64)));
  assert.equal(parseRepomd(good, 'x').length, 3);
  assert.throws(() => parseRepomd(good.replace('repodata/aaaa', '../../aaaa'), 'x'), corrupt);
  assert.throws(() => parseRepomd(doc(data('primary', 'a'.repeat(64))), 'x'), corrupt);
  assert.throws(() => parseRepomd('Origin: Evil\nSuite: bookworm\n', 'x'), corrupt);
  const pkg = (href: string) => `<package type="rpm">\n  <name>python3-a</name>\n  <arch>noarch</arch>\n  <version epoch="1" ver="2.0" rel="1"/>\n`
    + `  <checksum type="sha256" pkgid="YES">${'d'.repeat(64)}</checksum>\n  <location href="${href}"/>\n</package>\n`;
  const primary = (p: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" packages="1">\n${p}</metadata>\n`;
  assert.deepEqual(parsePrimary(primary(pkg('Packages/python3-a-2.0-1.noarch.rpm')), 'p').map((e) => [e.file, e.epoch]), [['Packages/python3-a-2.0-1.noarch.rpm', 1]]);
  for (const bad of ['../../etc/x.rpm', 'Packages/other-2.0-1.noarch.rpm', 'Packages/../python3-a-2.0-1.noarch.rpm']) {
    assert.throws(() => parsePrimary(primary(pkg(bad)), 'p'), corrupt, bad);
  }
});
