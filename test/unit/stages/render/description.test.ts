/**
 * READMEs as packages show them: RST and Markdown long descriptions become plain paragraphs and
 * indented lists, within Debian's line rules (what lintian's Fields/Description check tests).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { descriptionFormat, layoutDescription, readableDescription, rstInline } from '../../../../src/stages/render/description.ts';
import { debianDescription } from '../../../../src/distro/sanitize.ts';

const RST = `=========
 fancylib
=========

.. image:: https://img.shields.io/pypi/v/fancylib.svg
   :target: https://pypi.org/project/fancylib

.. contents:: Table of contents

A fancy library for parsing things
==================================

**fancylib** parses \`\`INI\`\` files, see the \`documentation <https://fancylib.example.org/docs/very/long/url/that/goes/on/and/on>\`_
and :func:\`fancylib.parse\` for the details; it also supports |sub| substitutions and references_ to other things that make this line long.

Features:

- fast parsing of everything you could ever want to parse in a very long bullet item that must wrap
- small
* another bullet

Example::

    >>> import fancylib
    >>> fancylib.parse("a=1")

+------+------+
| a    | b    |
+======+======+
| 1    | 2    |
+------+------+

Installation
------------

pip install fancylib

.. _references: https://example.org
`;

const MD = `# fancymd

[![Build](https://ci.example.org/badge.svg)](https://ci.example.org) ![PyPI](https://img.shields.io/pypi/v/fancymd)

A fancy Markdown library

fancymd renders [Markdown](https://daringfireball.net/projects/markdown/) to *things*, with \`code spans\`, **strong** text &amp; entities.

| col | col |
|-----|-----|
| 1   | 2   |

\`\`\`python
import fancymd
\`\`\`

## Features

- one
- two, with a very long item text that goes on and on until it has to be wrapped onto a second line
  - nested item

<p align="center">html</p>

## Usage

Run it.
`;

function debian(text: string, type: string | undefined, synopsis: string, name: string): string[] {
  const blocks = readableDescription(text, type, { synopsis, projectName: name });
  return debianDescription(layoutDescription(blocks, { width: 78, maxLines: 20, bullet: ' - ', hang: '   ' }), 'This package installs the Python 3 module x.').split('\n');
}

function assertDebianClean(lines: string[], synopsis: string): void {
  for (const l of lines) {
    assert.ok(l.length <= 80, `line too long (${l.length}): ${l}`);
    assert.doesNotMatch(l, /^ [-*]/, `unindented list: ${l}`);
    assert.doesNotMatch(l, /\t/);
  }
  const first = lines.find((l) => !/^ \.\s*$/.test(l))!;
  assert.notEqual(first.toLowerCase().replace(/[^a-z0-9]/g, ''), synopsis.toLowerCase().replace(/[^a-z0-9]/g, ''), 'synopsis duplicated');
  assert.doesNotMatch(first, /^ \s/, 'first line starts with spaces');
}

test('RST: title, badges, directives, literal blocks and tables dropped; lists indented; stops at Installation', () => {
  const lines = debian(RST, 'text/x-rst', 'A fancy library for parsing things', 'fancylib');
  assertDebianClean(lines, 'A fancy library for parsing things');
  const text = lines.join('\n');
  assert.match(text, /^ fancylib parses INI files, see the documentation and fancylib\.parse for the/);
  assert.match(text, /references to other things/);
  assert.match(text, /^  - fast parsing/m);
  assert.match(text, /^    bullet item that must wrap$/m);
  assert.match(text, /^  - another bullet$/m);
  for (const gone of ['image::', 'shields', '>>>', '+----', '| a', 'Example', 'pip install', 'Installation', '|sub|', 'contents::', '.. _']) {
    assert.ok(!text.includes(gone), `${gone} in\n${text}`);
  }
});

test('Markdown: badges, code, tables and HTML dropped; links keep their text; entities decoded', () => {
  const lines = debian(MD, 'text/markdown', 'A fancy Markdown library', 'fancymd');
  assertDebianClean(lines, 'A fancy Markdown library');
  const text = lines.join('\n');
  assert.match(text, /^ fancymd renders Markdown to things, with code spans, strong text & entities\.$/m);
  assert.match(text, /^ Features:$/m);
  assert.match(text, /^  - two, with a very long item/m);
  assert.match(text, /^  - nested item$/m);
  for (const gone of ['badge', '![', '](', '```', 'import fancymd', '| col', '<p', 'Run it', 'Usage']) assert.ok(!text.includes(gone), `${gone} in\n${text}`);
});

test('the format is guessed when Description-Content-Type is missing; plain text stays as paragraphs', () => {
  assert.equal(descriptionFormat('Title\n=====\n\nText.', undefined), 'rst');
  assert.equal(descriptionFormat('# Title\n\nText [x](https://x.org).', undefined), 'markdown');
  assert.equal(descriptionFormat('Just text.\n\nMore.', undefined), 'plain');
  assert.equal(descriptionFormat('# not md', 'text/x-rst; charset=UTF-8'), 'rst');
  const long = Array.from({ length: 200 }, (_, i) => `Sentence number ${i} of a very long plain description.`).join(' ');
  const lines = debian(long, 'text/plain', 'Something', 'x');
  assertDebianClean(lines, 'Something');
  assert.ok(lines.length <= 24, `${lines.length} lines`);
  assert.ok(lines.includes(' [...]'));
});

test('RST inline markup', () => {
  assert.equal(rstInline('see `the docs <https://x.org>`_, :class:`~pkg.Cls`, ``lit``, *em*, **st**, name_ and snake_case'), 'see the docs, pkg.Cls, lit, em, st, name and snake_case');
});

test('a README that only repeats the synopsis gives no duplicate first line', () => {
  const lines = debian('A tool\n\n', undefined, 'A tool', 'tool');
  assert.deepEqual(lines, [' This package installs the Python 3 module x.']);
});
