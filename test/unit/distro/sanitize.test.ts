import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  debianDescription, oneLine, requireGrammar, requireMaintainer, requireShellInert, roff, rpmDescription, rpmTag, safeUrl, synopsis,
  DEBIAN_PACKAGE_NAME,
} from '../../../src/distro/sanitize.js';

test('synopsis: one line, no article, no full stop, under 80 characters', () => {
  assert.equal(synopsis('The fast\nparser.', 'x'), 'Fast parser');
  const long = synopsis('word '.repeat(40), 'x');
  assert.ok(long.length < 80 && long.endsWith('...'), long);
  assert.equal(synopsis('', 'fallback'), 'fallback');
  assert.equal(oneLine('a\u0000b\u202ec\r\nd'), 'abc d');
});

test('Debian description: every line is a continuation; blank lines become " ."; fields cannot be injected', () => {
  const out = debianDescription('Intro\n\nDepends: evil\n.\n.hidden\n\n\n  code block', 'Closing.');
  const lines = out.split('\n');
  assert.ok(lines.every((l) => l.startsWith(' ')), out);
  assert.ok(lines.some((l) => l.includes('Depends: evil')));
  assert.ok(!lines.some((l) => /^\S/.test(l)));
  assert.ok(lines.includes(' .'));
  assert.ok(!lines.some((l) => /^ \.\S/.test(l)), 'Policy reserves " .text" lines');
  assert.ok(debianDescription('.hidden', 'x').split('\n').includes('  .hidden'));
  assert.equal(lines[lines.length - 1], ' Closing.');
});

test('RPM text: every % is doubled, tags are one line', () => {
  assert.equal(rpmTag('%(touch /tmp/pwned)\n%{lua: os.exit()}'), '%%(touch /tmp/pwned) %%{lua: os.exit()}');
  const d = rpmDescription('%files\n%{expand:x}', 'Done.');
  assert.ok(!/(^|[^%])%[^%]/m.test(d.replace(/%%/g, '')), d);
  assert.ok(d.startsWith(' %%%%files'), 'rpmbuild expands before it looks for sections and directives');
});

// No skip when rpmspec is missing: the test machines have it, and a silent skip would hide this check.
test('RPM description: %include / %if lines reach rpmbuild as text, even indented (rpmspec -P judges)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rpmdesc-'));
  writeFileSync(path.join(dir, 'secret'), 'HOST-SECRET\n');
  const hostile = `Intro.\n\n%include ${dir}/secret\n\n   %include ${dir}/secret\n\n%if 0\n\nhidden\n\n%endif\n\n  %else`;
  const spec = path.join(dir, 'x.spec');
  writeFileSync(spec, `Name: x\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\n%description\n${rpmDescription(hostile, 'Done.')}\n\n%files\n`);
  const parsed = execFileSync('rpmspec', ['-P', spec], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.ok(!parsed.includes('HOST-SECRET'), parsed);
  assert.match(parsed, /%%include/);
  assert.match(parsed, /hidden/);
});

test('roff: escapes and a leading dot are disarmed', () => {
  assert.equal(roff('.TH evil\\x'), '\\&.TH evil\\ex');
  assert.equal(roff('a-b'), 'a\\-b');
});

test('names, shell values, URLs and maintainers are validated, otherwise refused', () => {
  assert.equal(requireGrammar('python3-foo', DEBIAN_PACKAGE_NAME, 'name'), 'python3-foo');
  assert.throws(() => requireGrammar('Python3_Foo', DEBIAN_PACKAGE_NAME, 'name'), /E_NAME_INVALID|not valid/);
  assert.throws(() => requireShellInert('foo$(id)', 'PYBUILD_NAME'), /not safe/);
  assert.throws(() => requireShellInert('`id`', 'x'), /not safe/);
  assert.equal(safeUrl('https://example.org/x'), 'https://example.org/x');
  assert.equal(safeUrl('https://example.org/$(id)'), undefined);
  assert.equal(safeUrl('javascript:alert(1)'), undefined);
  assert.equal(safeUrl('https://example.org/%{lua:x}'), undefined);
  assert.equal(requireMaintainer('Jane Doe <jane@example.org>'), 'Jane Doe <jane@example.org>');
  assert.throws(() => requireMaintainer('Jane $(id) <jane@example.org>'), /maintainer/);
  assert.throws(() => requireMaintainer('jane@example.org'), /maintainer/);
});
