/**
 * Stage sign — the door. The organisation key (loaded and checked once per run) and everything made
 * with it, inside the py2distro process only: RPM header signatures, detached and clearsigned
 * OpenPGP (Release.gpg, InRelease, repomd.xml.asc), the optional .deb origin signature.
 */
export { loadSigningKey, parseSigningKey, type SigningKey, type SigningKeyOptions } from './key.js';
export { clearsign, signDetachedArmored, signDetachedBinary, verifyDetached } from './openpgp.js';
export { trustedClearsigned, trustedDetachedSigner } from './verify.js';
export { readRpmInfo, rpmSigners, signRpm, type RpmInfo } from './rpm.js';
export { addDebOrigin } from './deb-origin.js';
