/**
 * Does an .rpm say what py2distro's spec asked for? Name, epoch, version-release, arch and (for a
 * binary package) the source rpm it came from, read from the main header (header.ts); and no
 * scriptlet or trigger of any kind: py2distro's spec templates declare none, so any one found was
 * put there by the build (it would run as root on every client). Tags from rpm's rpmtag.h: a
 * scriptlet is a body tag and/or an interpreter ("…PROG") tag — `%post -p /sbin/ldconfig` has
 * only the latter — so both are refused.
 */
import { headerInt32, headerString, readRpmLayout } from './header.js';

const TAG = { NAME: 1000, VERSION: 1001, RELEASE: 1002, EPOCH: 1003, ARCH: 1022, SOURCERPM: 1044 } as const;

/** Scriptlet, trigger and file-trigger tags (bodies, interpreters, trigger conditions). */
export const SCRIPT_TAGS: Record<number, string> = {
  1023: 'PREIN', 1024: 'POSTIN', 1025: 'PREUN', 1026: 'POSTUN',
  1085: 'PREINPROG', 1086: 'POSTINPROG', 1087: 'PREUNPROG', 1088: 'POSTUNPROG',
  1065: 'TRIGGERSCRIPTS', 1066: 'TRIGGERNAME', 1092: 'TRIGGERSCRIPTPROG',
  1079: 'VERIFYSCRIPT', 1091: 'VERIFYSCRIPTPROG',
  1151: 'PRETRANS', 1152: 'POSTTRANS', 1153: 'PRETRANSPROG', 1154: 'POSTTRANSPROG',
  5066: 'FILETRIGGERSCRIPTS', 5067: 'FILETRIGGERSCRIPTPROG', 5069: 'FILETRIGGERNAME',
  5076: 'TRANSFILETRIGGERSCRIPTS', 5077: 'TRANSFILETRIGGERSCRIPTPROG', 5079: 'TRANSFILETRIGGERNAME',
  5104: 'PREUNTRANS', 5105: 'POSTUNTRANS', 5106: 'PREUNTRANSPROG', 5107: 'POSTUNTRANSPROG',
};

export interface RpmExpectation {
  name: string;
  /** Render's distroVersion: "[E:]V-R". */
  distroVersion: string;
  /** 'src' for the source package; else the arch from the file name. */
  arch: string;
  sourcePackage: string;
}

/** Problems found (empty when the package is what was asked for). */
export function rpmPackageProblems(buf: Buffer, file: string, want: RpmExpectation): string[] {
  let layout;
  try {
    layout = readRpmLayout(buf);
  } catch (err) {
    return [`${file}: ${(err as Error).message}`];
  }
  const h = layout.main;
  const out: string[] = [];
  const show = (v: unknown) => JSON.stringify(v === undefined ? '(none)' : String(v).slice(0, 200));
  const m = /^(?:(\d+):)?(.+)-([^-]+)$/.exec(want.distroVersion);
  const [wantEpoch, wantVersion, wantRelease] = [m?.[1] ? Number(m[1]) : undefined, m?.[2], m?.[3]];
  const name = headerString(h, TAG.NAME);
  if (name !== want.name) out.push(`${file}: Name is ${show(name)}, expected ${want.name}`);
  const epoch = headerInt32(h, TAG.EPOCH);
  if ((epoch ?? 0) !== (wantEpoch ?? 0)) out.push(`${file}: Epoch is ${show(epoch)}, expected ${wantEpoch ?? 0}`);
  const version = headerString(h, TAG.VERSION);
  const release = headerString(h, TAG.RELEASE);
  if (version !== wantVersion || release !== wantRelease) out.push(`${file}: version-release is ${show(`${version}-${release}`)}, expected ${wantVersion}-${wantRelease}`);
  const sourceRpm = headerString(h, TAG.SOURCERPM);
  if (want.arch === 'src') {
    if (sourceRpm !== undefined) out.push(`${file}: a source package that names a source rpm`);
  } else {
    const arch = headerString(h, TAG.ARCH);
    if (arch !== want.arch) out.push(`${file}: Arch is ${show(arch)}, expected ${want.arch}`);
    const wantSource = `${want.sourcePackage}-${wantVersion}-${wantRelease}.src.rpm`;
    if (sourceRpm !== wantSource) out.push(`${file}: SOURCERPM is ${show(sourceRpm)}, expected ${wantSource}`);
  }
  const scripts = h.entries.filter((e) => SCRIPT_TAGS[e.tag] !== undefined).map((e) => SCRIPT_TAGS[e.tag]!);
  if (scripts.length) out.push(`${file}: scriptlets or triggers py2distro's spec does not declare: ${[...new Set(scripts)].join(', ')}`);
  return out;
}
