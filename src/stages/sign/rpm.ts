/**
 * Native RPM signing, as `rpmsign --addsign` does it in rpm 4.x: an OpenPGP v4 signature over the
 * main header blob (magic through data — the same bytes rpm digests when it checks a header-only
 * signature), stored in the signature header under RPMSIGTAG_RSA (268) for RSA keys and
 * RPMSIGTAG_DSA (267) for EdDSA/ECDSA keys (rpm files every non-RSA algorithm there).
 * The signature header is rebuilt like rpm's headerReload() and RPMSIGTAG_RESERVEDSPACE (1008) —
 * the zero-filled slack rpmbuild leaves for exactly this — shrinks by the bytes the signature adds,
 * so the file size and the payload offset stay the same. The main header and payload are never
 * touched; that is what lets `contentSha256` identify a package whatever its signature.
 */
import { createHash } from 'node:crypto';
import { Py2DistroError } from '../../lib/errors.js';
import type { SigningKey } from './key.js';
import { signDetachedBinary, signatureIssuer, verifyDetached } from './openpgp.js';
import {
  encodeHeader, headerInt32, headerString, padTo8, readRpmLayout, RPM_LEAD_SIZE, TYPE,
  type HeaderEntry, type RpmLayout,
} from '../../distro/rpm/header.js';

export const SIGTAG = { DSA: 267, RSA: 268, PGP: 1002, GPG: 1005, PGP5: 1006, RESERVEDSPACE: 1008 } as const;
const RPMTAG = { NAME: 1000, VERSION: 1001, RELEASE: 1002, EPOCH: 1003, ARCH: 1022, SOURCERPM: 1044 } as const;
/** Every tag that holds an OpenPGP signature; a re-sign removes them all so no stale one survives. */
const SIGNATURE_TAGS: ReadonlySet<number> = new Set([SIGTAG.DSA, SIGTAG.RSA, SIGTAG.PGP, SIGTAG.GPG, SIGTAG.PGP5]);
const REGION_SIGNATURES = 62;

export interface RpmInfo {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch: string;
  isSource: boolean;
  /** sha256 of main header + payload: the package's identity, independent of its signatures. */
  contentSha256: string;
}

export type RpmSignStatus = 'signed' | 'already-signed' | 'replaced';

export function readRpmInfo(buf: Buffer, layout: RpmLayout = readRpmLayout(buf)): RpmInfo {
  const h = layout.main;
  const name = headerString(h, RPMTAG.NAME);
  const version = headerString(h, RPMTAG.VERSION);
  const release = headerString(h, RPMTAG.RELEASE);
  const arch = headerString(h, RPMTAG.ARCH);
  if (!name || !version || !release || !arch) {
    throw new Py2DistroError('E_PACKAGE_FORMAT', 'rpm header lacks name, version, release or arch');
  }
  const isSource = headerString(h, RPMTAG.SOURCERPM) === undefined;
  return {
    name, version, release, arch: isSource ? 'src' : arch, isSource,
    epoch: headerInt32(h, RPMTAG.EPOCH),
    contentSha256: createHash('sha256').update(buf.subarray(layout.mainStart)).digest('hex'),
  };
}

/** The issuer key IDs of the OpenPGP signatures an rpm carries (empty when unsigned). */
export async function rpmSigners(buf: Buffer): Promise<string[]> {
  const { signature } = readRpmLayout(buf);
  const out: string[] = [];
  for (const e of signature.entries) {
    if (SIGNATURE_TAGS.has(e.tag)) out.push((await signatureIssuer(e.data)) ?? 'unreadable');
  }
  return out;
}

/**
 * Sign an rpm image in memory. An rpm already carrying a valid header signature by this key is
 * returned as is ('already-signed'); one signed by anyone else has those signatures replaced.
 */
export async function signRpm(buf: Buffer, key: SigningKey, date?: Date): Promise<{ bytes: Buffer; status: RpmSignStatus; sizeKept: boolean }> {
  const layout = readRpmLayout(buf);
  const mainHeader = buf.subarray(layout.mainStart, layout.main.end);
  const sigTag = key.algorithm === 'rsa' ? SIGTAG.RSA : SIGTAG.DSA;
  const existing = layout.signature.entries.filter((e) => SIGNATURE_TAGS.has(e.tag));
  const ours = existing.find((e) => e.tag === sigTag);
  if (existing.length === 1 && ours && (await signatureIssuer(ours.data)) === key.signingKeyId
    && (await verifyDetached(mainHeader, ours.data, key))) {
    return { bytes: buf, status: 'already-signed', sizeKept: true };
  }
  const signature = Buffer.from(await signDetachedBinary(mainHeader, key, date));
  const kept = layout.signature.entries.filter((e) => !SIGNATURE_TAGS.has(e.tag));
  const entries: HeaderEntry[] = [...kept, { tag: sigTag, type: TYPE.BIN, count: signature.length, data: signature }];
  const originalSize = layout.mainStart - RPM_LEAD_SIZE;
  const { header, sizeKept } = fitSignatureHeader(entries, originalSize);
  const bytes = Buffer.concat([buf.subarray(0, RPM_LEAD_SIZE), header, buf.subarray(layout.mainStart)]);
  // Fail closed: re-read what we wrote and check the main header is byte-identical and verifies.
  const check = readRpmLayout(bytes);
  const checkHeader = bytes.subarray(check.mainStart, check.main.end);
  const stored = check.signature.entries.find((e) => e.tag === sigTag);
  if (!checkHeader.equals(mainHeader) || !stored || !(await verifyDetached(checkHeader, stored.data, key))) {
    throw new Py2DistroError('E_SIGN', 'the signed rpm did not verify after writing');
  }
  return { bytes, status: existing.length ? 'replaced' : 'signed', sizeKept };
}

/** Encoded signature header plus its 8-byte padding, sized to `target` bytes when the reserved space allows. */
function fitSignatureHeader(entries: HeaderEntry[], target: number): { header: Buffer; sizeKept: boolean } {
  const encode = (list: HeaderEntry[]) => {
    const h = encodeHeader(list, REGION_SIGNATURES);
    return Buffer.concat([h, Buffer.alloc(padTo8(h.length))]);
  };
  const reservedAt = entries.findIndex((e) => e.tag === SIGTAG.RESERVEDSPACE);
  const first = encode(entries);
  if (first.length === target || reservedAt < 0) return { header: first, sizeKept: first.length === target };
  const withReserved = (n: number) => {
    const list = [...entries];
    list[reservedAt] = { tag: SIGTAG.RESERVEDSPACE, type: TYPE.BIN, count: n, data: Buffer.alloc(n) };
    return encode(list);
  };
  const guess = entries[reservedAt]!.count - (first.length - target);
  // Alignment of later entries and the final padding can shift the size by a few bytes: search nearby.
  for (let delta = 0; delta <= 16; delta++) {
    for (const n of [guess + delta, guess - delta]) {
      if (n < 1) continue;
      const h = withReserved(n);
      if (h.length === target) return { header: h, sizeKept: true };
    }
  }
  return { header: first, sizeKept: false };
}
