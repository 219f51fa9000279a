/** `py2distro targets`: the target table, so that E_TARGET_UNKNOWN's hint leads somewhere. */
import type { Command } from '../commander.js';
import { TARGETS } from '../../distro/targets.js';
import { createContext } from '../context.js';

export function register(program: Command): void {
  program
    .command('targets')
    .description('list the targets py2distro can build for')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = await createContext(cmd);
      const rows = TARGETS.map((t) => ({
        name: t.name,
        family: t.family,
        codename: t.codename,
        python: t.python.version,
        baseImage: t.baseImage,
        offlineBootstrap: Boolean(t.bootstrap),
        testOnly: Boolean(t.testOnly),
      }));
      ctx.print({ ok: true, targets: rows }, () =>
        [
          'target            family  codename  python  notes',
          ...rows.map((r) =>
            [
              r.name.padEnd(17),
              r.family.padEnd(7),
              r.codename.padEnd(9),
              r.python.padEnd(7),
              r.testOnly ? 'test only: RPM path built on Debian with Debian\'s rpm, not for production' : '',
            ].join(' ').trimEnd(),
          ),
          'aliases: deb = debian-trixie, rpm = fedora-41',
        ].join('\n'),
      );
    });
}
