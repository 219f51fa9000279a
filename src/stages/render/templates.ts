/**
 * Nunjucks environment for the packaging templates. A `--templates DIR` override is searched first,
 * file by file (DIR/deb/control replaces templates/deb/control, the rest stay built in); includes
 * resolve the same way. Autoescaping is off because escaping is field-specific (see src/sanitize.ts);
 * the same filters are registered for custom templates that place raw metadata.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { Py2DistroError } from '../../lib/errors.js';
import { packagePath } from '../../lib/paths.js';
import { debianDescription, oneLine, roff, rpmEscape, rpmTag, synopsis } from '../../distro/sanitize.js';
import type { FamilyName } from '../../distro/targets.js';

/** templates/ of the installed package. */
export const BUILTIN_TEMPLATES = packagePath('templates');

export interface TemplateSet {
  render(name: string, model: object): string;
  /** Where a template comes from (override or built in), for logs. */
  origin(name: string): string;
}

export function loadTemplates(family: FamilyName, overrideDir?: string): TemplateSet {
  const searchPaths = [path.join(BUILTIN_TEMPLATES, family)];
  if (overrideDir) {
    if (!existsSync(overrideDir)) {
      throw new Py2DistroError('E_TEMPLATE', `templates directory ${overrideDir} does not exist`, {
        hint: 'Point --templates at a directory containing deb/ and/or rpm/ files that override the built-in ones.',
      });
    }
    searchPaths.unshift(path.join(path.resolve(overrideDir), family));
  }
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(searchPaths, { noCache: true }), {
    autoescape: false,
    throwOnUndefined: false,
    trimBlocks: false,
    lstripBlocks: false,
  });
  env.addFilter('oneline', (s: unknown) => oneLine(String(s ?? '')));
  env.addFilter('synopsis', (s: unknown) => synopsis(String(s ?? ''), ''));
  env.addFilter('debdesc', (s: unknown, closing = '') => debianDescription(String(s ?? ''), String(closing)));
  env.addFilter('rpm', (s: unknown) => rpmEscape(String(s ?? '')));
  env.addFilter('rpmtag', (s: unknown) => rpmTag(String(s ?? '')));
  env.addFilter('roff', (s: unknown) => roff(String(s ?? '')));
  return {
    render(name, model) {
      try {
        return env.render(name, model);
      } catch (err) {
        throw new Py2DistroError('E_TEMPLATE', `template ${family}/${name}: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}`, { cause: err });
      }
    },
    origin(name) {
      const hit = searchPaths.find((p) => existsSync(path.join(p, name)));
      return hit ? path.join(hit, name) : `(missing) ${name}`;
    },
  };
}
