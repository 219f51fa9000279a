/**
 * Optional debsigs-style origin signature for .debs (off by default; apt itself never checks it,
 * debsig-verify and dpkg's --verify hooks do). debsigs signs the concatenated data of the
 * debian-binary, control.tar.* and data.tar.* members and stores the detached OpenPGP signature as
 * an extra ar member named `_gpgorigin` after them; dpkg ignores members whose name starts with '_'.
 * Any earlier `_gpg*` signature is dropped first, so re-signing replaces instead of stacking.
 */
import { Py2DistroError } from '../../lib/errors.js';
import { encodeArMember, listArMembers } from '../../distro/deb/ar.js';
import type { SigningKey } from './key.js';
import { signDetachedBinary } from './openpgp.js';

/** The bytes debsigs signs: the three standard members' data, in archive order. */
export function debOriginSignedData(deb: Buffer): Buffer {
  const members = listArMembers(deb);
  const signed = members.filter((m) => m.name === 'debian-binary' || /^(control|data)\.tar(\.\w+)?$/.test(m.name));
  if (signed.length !== 3) throw new Py2DistroError('E_PACKAGE_FORMAT', 'a .deb needs debian-binary, control.tar and data.tar members');
  return Buffer.concat(signed.map((m) => deb.subarray(m.offset, m.offset + m.size)));
}

export async function addDebOrigin(deb: Buffer, key: SigningKey): Promise<Buffer> {
  const members = listArMembers(deb);
  const firstSig = members.findIndex((m) => m.name.startsWith('_gpg'));
  if (firstSig >= 0 && !members.slice(firstSig).every((m) => m.name.startsWith('_gpg'))) {
    throw new Py2DistroError('E_PACKAGE_FORMAT', 'signature members must be the last members of a .deb');
  }
  const unsigned = firstSig >= 0 ? deb.subarray(0, members[firstSig]!.offset - 60) : deb;
  const signature = Buffer.from(await signDetachedBinary(debOriginSignedData(unsigned), key));
  return Buffer.concat([unsigned, encodeArMember('_gpgorigin', signature)]);
}

/** The `_gpgorigin` signature of a .deb, if any. */
export function debOriginSignature(deb: Buffer): Buffer | undefined {
  const m = listArMembers(deb).find((x) => x.name === '_gpgorigin');
  return m ? Buffer.from(deb.subarray(m.offset, m.offset + m.size)) : undefined;
}
