/**
 * The model the packaging templates receive (documented in docs/templates.md). Every string in it
 * that came from the sdist has already been through the filter for the place it is used, so
 * templates can place values without escaping; `project` keeps the raw metadata for reference only.
 */
import type { SdistMetadata } from '../../python/metadata.js';
import { layoutDescription, readableDescription } from './description.js';
import { licenseParagraphs } from './copyright.js';
import { detectLicense } from './license.js';
import {
  debianDescription, oneLine, personName, requireGrammar, requireShellInert,
  roff, rpmDescription, rpmTag, safeUrl, synopsis, DEBIAN_VERSION, RPM_VERSION,
} from '../../distro/sanitize.js';
import type { Target } from '../../distro/targets.js';
import { debianVersion, rpmEvr, rpmVersion } from '../../distro/versions.js';

// Standards-Version that each target's lintian knows (bookworm's lintian knows 4.6.2).
const STANDARDS_VERSION: Record<string, string> = { bookworm: '4.6.2', trixie: '4.7.2', noble: '4.6.2' };

export interface ModelInput {
  meta: SdistMetadata;
  target: Target;
  sourcePackage: string;
  binaryPackage: string;
  revision: number;
  maintainer: string;
  sdistFilename: string;
  sourceDateEpoch: number;
  runTests: boolean;
  extras: string[];
  licenseText?: string;
  deb?: { buildDepends: string[]; depends: string[]; overrides: string[]; epoch?: number };
  /** toolRequires: static BuildRequires for the programs the build runs (Fedora/EL). */
  rpm?: { requires: string[]; toolRequires: string[] };
}

const SCRIPT_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const FILE_PATH = /^[A-Za-z0-9][A-Za-z0-9._+-]*(\/[A-Za-z0-9][A-Za-z0-9._+-]*)*$/;
const IMPORT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SDIST_NAME = /^[A-Za-z0-9][A-Za-z0-9._+!-]*$/;

function dates(epoch: number) {
  const d = new Date(epoch * 1000);
  const day = d.toUTCString().slice(0, 3);
  const mon = d.toUTCString().slice(8, 11);
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return {
    // RFC 2822 as dpkg-parsechangelog wants it: "Mon, 01 Jan 2024 00:00:00 +0000".
    rfc2822: d.toUTCString().replace('GMT', '+0000'),
    rpm: `${day} ${mon} ${dd} ${d.getUTCFullYear()}`,
    iso: d.toISOString().slice(0, 10),
    year: d.getUTCFullYear(),
  };
}

function closingLine(meta: SdistMetadata, scripts: string[]): string {
  const what = meta.importNames.length ? `the Python 3 module${meta.importNames.length > 1 ? 's' : ''} ${meta.importNames.join(', ')}` : `the Python 3 distribution ${meta.name}`;
  const cmds = scripts.length ? ` and the command${scripts.length > 1 ? 's' : ''} ${scripts.join(', ')}` : '';
  return `This package installs ${what}${cmds}.`;
}

export function buildModel(input: ModelInput) {
  const { meta, target } = input;
  const lic = detectLicense({ expression: meta.licenseExpression, license: meta.license, classifiers: meta.classifiers, text: input.licenseText });
  const scripts = Object.entries(meta.consoleScripts).filter(([name]) => SCRIPT_NAME.test(name)).sort(([a], [b]) => a.localeCompare(b));
  const scriptNames = scripts.map(([n]) => n);
  const closing = closingLine(meta, scriptNames);
  const summary = synopsis(meta.summary, `Python 3 module ${meta.name}`);
  const paragraphs = licenseParagraphs(input.licenseText, lic.raw, lic.spdx);
  const blocks = readableDescription(meta.description, meta.descriptionContentType, { synopsis: summary, projectName: meta.name });
  // The distro's epoch, when we replace a package it ships (distro-fit.ts).
  const epochPrefix = input.deb?.epoch && !/^\d+:/.test(debianVersion(meta.version)) ? `${input.deb.epoch}:` : '';
  const dVersion = requireGrammar(`${epochPrefix}${debianVersion(meta.version)}`, DEBIAN_VERSION, 'Debian version');
  const rv = rpmVersion(meta.version);
  requireGrammar(rv.version, RPM_VERSION, 'RPM version');
  const holders = meta.authors.map((a) => personName(a.name ?? a.email)).filter(Boolean);
  const contact = [...meta.maintainers, ...meta.authors].find((p) => p.email && /^[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+$/.test(p.email));
  const importNames = meta.importNames.filter((n) => IMPORT_NAME.test(n));
  const release = target.rpmFlavour === 'plain' ? `${input.revision}${target.distTag}` : `${input.revision}%{?dist}`;
  return {
    target: { name: target.name, family: target.family, distro: target.distro, codename: target.codename, python: target.python, distTag: target.distTag, rpmFlavour: target.rpmFlavour ?? null, testOnly: Boolean(target.testOnly) },
    project: { name: meta.name, normalizedName: meta.normalizedName, version: meta.version },
    pkg: {
      source: input.sourcePackage,
      binary: input.binaryPackage,
      upstreamVersion: meta.version,
      debianVersion: dVersion,
      revision: input.revision,
      arch: meta.hasExtensions ? 'any' : 'all',
      synopsis: summary,
      homepage: safeUrl(meta.homepage) ?? '',
      importNames,
      pybuildName: requireShellInert(input.binaryPackage.replace(/^python3-/, ''), 'PYBUILD_NAME'),
      // "!" appears in epoch versions (foo-1!2.0.tar.gz); it is inert in spec tags and in non-interactive sh.
      topDir: requireGrammar(meta.topDir, SDIST_NAME, 'sdist top-level directory'),
      sdistFilename: requireGrammar(input.sdistFilename, SDIST_NAME, 'sdist file name'),
      licenseFiles: meta.licenseFiles.filter((f) => FILE_PATH.test(f)),
      scripts: scripts.map(([name, entryPoint]) => ({
        name,
        entryPoint: roff(entryPoint),
        project: roff(meta.name),
        summary: roff(summary),
        roffName: roff(name),
        roffTitle: roff(name.toUpperCase()),
      })),
    },
    deb: input.deb
      ? { ...input.deb, description: debianDescription(layoutDescription(blocks, { width: 78, maxLines: 20, bullet: ' - ', hang: '   ' }), closing), standardsVersion: STANDARDS_VERSION[target.codename] ?? '4.6.2' }
      : undefined,
    rpm: input.rpm
      ? {
          ...input.rpm,
          version: rv.version,
          epoch: rv.epoch,
          evr: rpmEvr(meta.version),
          release,
          summary: rpmTag(summary),
          license: rpmTag(lic.spdx ?? 'LicenseRef-Unknown'),
          description: rpmDescription(layoutDescription(blocks, { width: 79, maxLines: 30, bullet: '- ', hang: '  ' }), closing),
          // Packager and Group: placed only by the flavours that use them (see templates/rpm/plain.spec).
          packager: rpmTag(input.maintainer),
          group: 'Development/Languages/Python',
          saveFiles: importNames.length ? importNames.join(' ') : "'*'",
          buildHostNeeds: ['python3', 'python3-pip', meta.hasExtensions ? 'python3-dev, gcc' : '', ...meta.buildSystem.requires.map((r) => oneLine(r.name))].filter(Boolean).map(rpmTag),
        }
      : undefined,
    license: { spdx: lic.spdx ?? null, dep5: lic.dep5, raw: lic.raw, paragraphs, text: paragraphs[0]!.text },
    copyright: {
      holders: holders.length ? [...new Set(holders)].join(',\n           ') : `the ${oneLine(meta.name)} authors`,
      contact: contact ? `${personName(contact.name) || contact.email} <${contact.email}>` : '',
      source: safeUrl(meta.homepage) ?? '',
    },
    maintainer: input.maintainer,
    date: dates(input.sourceDateEpoch),
    sourceDateEpoch: input.sourceDateEpoch,
    runTests: input.runTests,
    extras: input.extras.filter((e) => SCRIPT_NAME.test(e)),
    /** Raw, unfiltered metadata: for reference in custom templates, never for direct placement. */
    metadata: meta,
  };
}

export type TemplateModel = ReturnType<typeof buildModel>;
