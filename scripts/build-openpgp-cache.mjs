#!/usr/bin/env node
/**
 * `make build` / `npm run build`: record V8's code cache for openpgp (src/lib/openpgp.ts says why
 * and how it is checked before use). The library is compiled, then the calls py2distro makes are
 * run once on throwaway keys (load, unlock, vet, sign detached and clearsigned, verify) so that the
 * functions they need are in the cache too. Writes dist/openpgp.code-cache (or the file given as the
 * first argument) and its stamp (.json).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { rename, rm, writeFile } from 'node:fs/promises';
import { OPENPGP_CODE_CACHE, openpgpSource, runOpenpgp } from '../dist/lib/openpgp.js';

const { file, source, stamp } = openpgpSource();
// The throwaway keys come from the ordinarily loaded library: key generation, which py2distro never
// does, stays out of the cache (a smaller cache loads faster).
const generator = createRequire(import.meta.url)('openpgp');
const { exports: openpgp, script } = runOpenpgp(file, source);

async function exercise(type, extra) {
  const { privateKey: armored } = await generator.generateKey({ userIDs: [{ name: 'code cache' }], type, ...extra, passphrase: 'x', format: 'armored' });
  const read = await openpgp.readPrivateKey({ armoredKey: armored });
  const key = await openpgp.decryptKey({ privateKey: read, passphrase: 'x' });
  await key.verifyPrimaryKey();
  const signing = await key.getSigningKey();
  signing.getAlgorithmInfo();
  signing.getKeyID().toHex();
  key.getFingerprint();
  key.getUserIDs();
  await key.getPrimaryUser();
  const pub = key.toPublic();
  const pubArmored = pub.armor();
  pub.write();
  await openpgp.readKeys({ armoredKeys: pubArmored });
  const config = { preferredHashAlgorithm: openpgp.enums.hash.sha256 };
  const data = new TextEncoder().encode('Origin: x\nLabel: x\n');
  const binary = await openpgp.sign({ message: await openpgp.createMessage({ binary: data }), signingKeys: key, detached: true, format: 'binary', config });
  const armoredSig = await openpgp.sign({ message: await openpgp.createMessage({ binary: data }), signingKeys: key, detached: true, format: 'armored', config });
  const clear = await openpgp.sign({ message: await openpgp.createCleartextMessage({ text: 'Origin: x\nLabel: x\n' }), signingKeys: key, config });
  const sig = await openpgp.readSignature({ binarySignature: binary });
  sig.packets[0].issuerKeyID.toHex();
  for (const signature of [sig, await openpgp.readSignature({ armoredSignature: armoredSig })]) {
    const res = await openpgp.verify({ message: await openpgp.createMessage({ binary: data }), signature, verificationKeys: [pub] });
    await res.signatures[0].verified;
  }
  const message = await openpgp.readCleartextMessage({ cleartextMessage: clear });
  const res = await openpgp.verify({ message, verificationKeys: [pub] });
  await res.signatures[0].verified;
  message.getText();
  pub.getKeys(res.signatures[0].keyID);
  openpgp.enums.read(openpgp.enums.hash, 8);
}

await exercise('ecc', { curve: 'ed25519Legacy' });
await exercise('rsa', { rsaBits: 3072 });
const out = process.argv[2] ?? OPENPGP_CODE_CACHE;
// The cache first, its stamp last: a kill in between leaves a stamp that does not match, never a
// stamp vouching for another cache.
await rm(`${out}.json`, { force: true });
const tmp = `${out}.tmp-${process.pid}`;
const cache = script.createCachedData();
await writeFile(tmp, cache);
await rename(tmp, out);
const cacheSha256 = createHash('sha256').update(cache).digest('hex');
await writeFile(`${out}.json`, `${JSON.stringify({ ...stamp, cacheSha256 })}\n`);
console.log(`openpgp code cache: ${out}`);
