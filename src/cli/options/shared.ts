/**
 * Flags that several commands share, declared once: the build flags (`build` and `sync`) and the
 * publishing flags (`build --repo`, `sync`). Each comes with the merge of flags over py2distro.yaml.
 */
import type { Command } from '../commander.js';
import type { ConfigFile } from '../../api/config.js';
import type { RenderSettings } from '../../api/render.js';
import type { PublishSettings } from '../../stages/publish/index.js';
import { getTarget, type Target } from '../../distro/targets.js';
import { collect, positiveInt } from '../context.js';

/** The flags that shape the rendered packaging (render, build, sync). */
export interface RenderFlags {
  templates?: string;
  maintainer?: string;
  extra?: string[];
  runTests?: boolean;
}

/** Which engine, where it runs, and whether its containers may bind-mount this machine's paths. */
export interface EngineFlags {
  engine?: string;
  engineHost?: string;
  bindMounts?: boolean;
}

export function addEngineOptions(cmd: Command): Command {
  return cmd
    .option('--engine <engine>', 'podman | docker (default: $PY2DISTRO_ENGINE, config, auto-detect)')
    .option('--engine-host <url>', 'engine on another machine: unix:///path, tcp://host:port, ssh://user@host (default: config engine-host, $DOCKER_HOST / $CONTAINER_HOST)')
    .option('--bind-mounts', 'bind-mount work directories even though the engine host is remote (it shares this filesystem)')
    .option('--no-bind-mounts', 'mount nothing: copy sources in and artifacts out through the engine (default for remote engines)');
}

export function engineChoiceFrom(flags: EngineFlags, config: ConfigFile) {
  return { flag: flags.engine, hostFlag: flags.engineHost, bindMounts: flags.bindMounts, config };
}

export interface BuildFlags extends RenderFlags, EngineFlags {
  target?: string[];
  out?: string;
  jobs?: number;
  keepWork?: boolean;
  buildTimeout?: number;
  localRepo?: string;
  allowDistroName?: string[];
}

/** Render flags over config (`templates`, `maintainer`, `extras` per project). */
export function renderSettingsFrom(flags: RenderFlags, config: ConfigFile): RenderSettings {
  return {
    templatesDir: flags.templates ?? config.templates,
    maintainer: flags.maintainer ?? config.maintainer,
    ...(flags.extra ? { extras: flags.extra } : {}),
    ...(config.extras ? { extrasByProject: config.extras } : {}),
    runTests: flags.runTests,
  };
}

export function addBuildOptions(cmd: Command): Command {
  cmd
    .option('--target <target>', 'target to build for; repeatable (default: config targets, else deb = debian-trixie; rpm = fedora-41)', collect)
    .option('--out <dir>', 'where artifacts, build logs and provenance records go (default: config out; build: ./py2distro-out, sync: a temporary directory)')
    .option('--jobs <n>', 'builds run at the same time (default: config jobs, else 1)', positiveInt)
    .option('--keep-work', 'keep the work directories (rendered sources, container mounts) for debugging')
    .option('--build-timeout <seconds>', 'wall-clock limit of one package build (default: config, else 3600)', positiveInt);
  return addRenderOptions(addEngineOptions(cmd))
    .option('--local-repo <dir>', 'packages py2distro built earlier, offered as build dependencies')
    .option('--allow-distro-name <project>', "let this project take a name the target archive ships for no Python project, at a higher version; repeatable (default: config allow-distro-names)", collect);
}

/** --allow-distro-name flags plus config allow-distro-names. */
export function allowDistroNamesFrom(flags: BuildFlags, config: ConfigFile): string[] {
  return [...(config['allow-distro-names'] ?? []), ...(flags.allowDistroName ?? [])];
}

/** The flags that shape the rendered packaging (render, build, sync). */
export function addRenderOptions(cmd: Command): Command {
  return cmd
    .option('--templates <dir>', 'directory whose deb/ and rpm/ files override the built-in templates file by file (default: config templates)')
    .option('--maintainer <"Name <email>">', 'maintainer of the generated packages (default: config maintainer)')
    .option('--extra <name>', 'include the dependencies of this extra; repeatable (default: config extras)', collect)
    .option('--run-tests', "run upstream's tests during the build (off by default)");
}

/** --target flags, else config targets, else deb; aliases resolved and duplicates dropped. */
export function targetsFrom(flags: BuildFlags, config: ConfigFile): Target[] {
  const names = flags.target?.length ? flags.target : config.targets?.length ? config.targets : ['deb'];
  return [...new Map(names.map((n) => getTarget(n)).map((t) => [t.name, t])).values()];
}

export interface PublishFlags {
  repo?: string;
  signKey?: string;
  previousKey?: string[];
  origin?: string;
  label?: string;
  validUntilDays?: number;
  retention?: number;
  signDebOrigin?: boolean;
}

/** --repo plus the signing/publishing flags (build and sync). */
export function addPublishOptions(cmd: Command): Command {
  return addSigningOptions(cmd.option('--repo <dir>', 'repository directory to publish into (default: config repo)'));
}

export const SIGN_KEY_HELP =
  'armored OpenPGP secret key (or config sign-key, PY2DISTRO_SIGN_KEY_FILE); passphrase from PY2DISTRO_SIGN_PASSPHRASE or config sign-passphrase-file';

export const PREVIOUS_KEY_HELP =
  'armored public key of an earlier org key whose signatures on the published repository are still accepted (key rotation; or config previous-keys); repeatable';

/** The signing/publishing flags without --repo (`repo publish` takes the directory as an argument). */
export function addSigningOptions(cmd: Command): Command {
  return cmd
    .option('--sign-key <file>', SIGN_KEY_HELP)
    .option('--previous-key <file>', PREVIOUS_KEY_HELP, collect)
    .option('--origin <text>', 'apt Release Origin (default: config repo-origin, then the existing value)')
    .option('--label <text>', 'apt Release Label (default: config repo-label, then the existing value)')
    .option('--valid-until-days <n>', 'days until the apt Release expires (default: config valid-until-days, else 7)', positiveInt)
    .option('--retention <n>', 'keep the newest N versions of each package (default: config retention, else all)', positiveInt)
    .option('--sign-deb-origin', 'also add a debsigs _gpgorigin signature to each .deb');
}

export function publishSettingsFrom(flags: PublishFlags, config: ConfigFile): PublishSettings {
  return {
    origin: flags.origin ?? config['repo-origin'],
    label: flags.label ?? config['repo-label'],
    validUntilDays: flags.validUntilDays ?? config['valid-until-days'],
    retention: flags.retention ?? config.retention,
    signDebOrigin: flags.signDebOrigin,
  };
}
