/**
 * debian/copyright License paragraphs: licences in /usr/share/common-licenses are referred to (what
 * lintian's copyright-not-using-common-license-for-* tags ask), one paragraph per licence of an
 * expression, and a licence recognised from its file when the metadata names none.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { licenseParagraphs } from '../../../../src/stages/render/copyright.ts';
import { detectLicense } from '../../../../src/stages/render/license.ts';

const APACHE = '\n                                 Apache License\n                           Version 2.0, January 2004\n                        http://www.apache.org/licenses/\n\n   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION\n';
const BSD = 'Copyright (c) Individual contributors.\n\nRedistribution and use in source and binary forms, with or without modification, are permitted.\n\n3. Neither the name of the copyright holder nor the names of its contributors may be used.\n';

test('Apache-2.0 from a classifier, an expression or the licence text itself points to common-licenses', () => {
  for (const input of [
    { classifiers: ['License :: OSI Approved :: Apache Software License'] },
    { expression: 'Apache-2.0' },
    { license: 'Apache License, Version 2.0' },
    { license: 'see LICENSE', text: APACHE },
  ]) {
    const lic = detectLicense(input);
    assert.equal(lic.spdx, 'Apache-2.0', JSON.stringify(input));
    const [p] = licenseParagraphs(APACHE, lic.raw, lic.spdx);
    assert.equal(p!.name, 'Apache-2.0');
    assert.match(p!.text, /\/usr\/share\/common-licenses\/Apache-2\.0\./);
    assert.doesNotMatch(p!.text, /TERMS AND CONDITIONS/);
  }
});

test('an expression of two licences gives one paragraph each; the common one refers to its file', () => {
  const lic = detectLicense({ expression: 'Apache-2.0 OR BSD-3-Clause' });
  assert.equal(lic.dep5, 'Apache-2.0 or BSD-3-clause');
  const ps = licenseParagraphs(`This software is made available under the terms of either Apache-2.0 or BSD.\n\n${BSD}`, lic.raw, lic.spdx);
  assert.deepEqual(ps.map((p) => p.name), ['Apache-2.0', 'BSD-3-clause']);
  assert.match(ps[0]!.text, /common-licenses\/Apache-2\.0/);
  assert.match(ps[1]!.text, /Redistribution and use/);
  // The BSD text mentions Apache-2.0: lintian wants a common-licenses pointer in the file then.
  assert.match(ps[1]!.text, /\/usr\/share\/common-licenses/);
});

test('a licence text that mentions the GPL without being it gets the pointer; a plain MIT text does not', () => {
  const [gplish] = licenseParagraphs('Permission is hereby granted, free of charge, to any person obtaining a copy.\nParts are GPL-compatible... or under the GNU General Public License.', 'MIT', 'MIT');
  assert.match(gplish!.text, /\/usr\/share\/common-licenses/);
  const [mit] = licenseParagraphs('Permission is hereby granted, free of charge, to any person obtaining a copy.', 'MIT', 'MIT');
  assert.doesNotMatch(mit!.text, /common-licenses/);
  assert.equal(detectLicense({ text: BSD }).spdx, 'BSD-3-Clause');
});
