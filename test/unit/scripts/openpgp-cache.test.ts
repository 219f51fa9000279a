/**
 * scripts/build-openpgp-cache.mjs and src/lib/openpgp.ts: the code cache `make build` records is
 * accepted by V8 for openpgp's own source, gives a library that signs and verifies, and is used
 * only under the exact stamp (source sha256, Node, V8) it was made for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { cachedCode, openpgp, openpgpSource, runOpenpgp } from '../../../src/lib/openpgp.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

test('the recorded code cache is accepted for openpgp\'s source and the library works from it', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-codecache-'));
  try {
    const out = path.join(dir, 'openpgp.code-cache');
    execFileSync('node', [path.join(ROOT, 'scripts/build-openpgp-cache.mjs'), out]);
    const { file, source, stamp } = openpgpSource();
    const recorded = JSON.parse(await readFile(`${out}.json`, 'utf8')) as Record<string, string>;
    assert.deepEqual({ ...recorded, cacheSha256: undefined }, { ...stamp, cacheSha256: undefined });
    assert.equal(recorded.cacheSha256, createHash('sha256').update(await readFile(out)).digest('hex'));
    const cache = cachedCode(stamp, out);
    assert.ok(cache && cache.length > 100_000, 'the cache holds compiled functions, not only the top level');
    const { exports: lib, script } = runOpenpgp(file, source, cache);
    assert.equal(script.cachedDataRejected, false);
    const { privateKey, publicKey } = await lib.generateKey({ userIDs: [{ name: 't' }], type: 'ecc', curve: 'ed25519Legacy', format: 'object' });
    const data = new TextEncoder().encode('Suite: bookworm\n');
    const signature = await lib.sign({ message: await lib.createMessage({ binary: data }), signingKeys: privateKey, detached: true, format: 'armored' });
    const res = await lib.verify({ message: await lib.createMessage({ binary: data }), signature: await lib.readSignature({ armoredSignature: signature }), verificationKeys: publicKey });
    await res.signatures[0]!.verified;
    // A signature from the cached library verifies with the ordinarily loaded one, too.
    const res2 = await openpgp.verify({
      message: await openpgp.createMessage({ binary: data }),
      signature: await openpgp.readSignature({ armoredSignature: signature }),
      verificationKeys: await openpgp.readKey({ armoredKey: publicKey.armor() }),
    });
    await res2.signatures[0]!.verified;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a code cache is used only under its exact stamp', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-codecache-'));
  try {
    const out = path.join(dir, 'c');
    const { stamp } = openpgpSource();
    await writeFile(out, 'not really compiled code');
    assert.equal(cachedCode(stamp, out), undefined, 'no stamp: not used');
    for (const other of [{ ...stamp, sourceSha256: '0'.repeat(64) }, { ...stamp, node: 'v0.0.0' }, { ...stamp, v8: '0' }, {}]) {
      await writeFile(`${out}.json`, JSON.stringify(other));
      assert.equal(cachedCode(stamp, out), undefined, `stamp ${JSON.stringify(other)}: not used`);
    }
    await writeFile(`${out}.json`, '{ not json');
    assert.equal(cachedCode(stamp, out), undefined);
    await writeFile(`${out}.json`, JSON.stringify(stamp));
    assert.equal(cachedCode(stamp, out), undefined, 'no sha256 of the cache itself: not used');
    const cacheSha256 = createHash('sha256').update('not really compiled code').digest('hex');
    await writeFile(`${out}.json`, JSON.stringify({ ...stamp, cacheSha256 }));
    assert.equal(cachedCode(stamp, out)?.toString(), 'not really compiled code');
    await writeFile(out, 'not really compiled codf');
    assert.equal(cachedCode(stamp, out), undefined, 'a cache whose bytes changed: not used');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('there is one openpgp instance: require("openpgp") returns the one lib/openpgp.ts loaded', () => {
  assert.equal(createRequire(import.meta.url)('openpgp'), openpgp);
});
