/**
 * The one error catalogue. Every failure the user can cause or fix is a {@link Py2DistroError}
 * with a code from {@link CATALOGUE}: a one-line message, a "how to fix" hint and an exit code.
 * Anything else that escapes is a bug ({@link BugError}) and says so.
 *
 * Exit codes (documented in the README):
 *   0 ok, 1 failure, 2 usage or configuration error, 3 verification failed (hash, signature, trust).
 */

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, VERIFY: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface Entry {
  exit: ExitCode;
  hint: string;
}

/** Codes → exit code and the default hint. Add new codes here, nowhere else. */
export const CATALOGUE = {
  // usage and configuration (exit 2)
  E_USAGE: { exit: EXIT.USAGE, hint: 'Run `py2distro --help` or `py2distro <command> --help`.' },
  E_CONFIG: { exit: EXIT.USAGE, hint: 'Fix the configuration file; every problem found is listed above.' },
  E_CONFIG_UNSAFE: { exit: EXIT.USAGE, hint: 'A py2distro.yaml found in the working directory may not weaken security; pass it with --config if you trust it.' },
  E_REQUIREMENT: { exit: EXIT.USAGE, hint: 'Use `name`, `name==1.2`, `name>=1,<2` or a path to a local .tar.gz/.zip sdist.' },
  E_TARGET_UNKNOWN: { exit: EXIT.USAGE, hint: 'Run `py2distro targets` to list the known targets.' },
  E_KEYRING: { exit: EXIT.USAGE, hint: 'Pass an OpenPGP keyring (armored or binary) with --keyring FILE.' },
  E_SIGN_KEY: { exit: EXIT.USAGE, hint: 'Use an armored v4 RSA (>= 3072 bits) or Ed25519 secret key via --sign-key or PY2DISTRO_SIGN_KEY_FILE.' },
  E_PUBLISHER_PIN: { exit: EXIT.USAGE, hint: 'A Trusted Publisher pin is github:OWNER/REPO[:WORKFLOW_FILE], gitlab:NAMESPACE/PROJECT[:CI_FILE_PATH] or google:SERVICE_ACCOUNT_EMAIL.' },
  E_TRUSTED_ROOT: { exit: EXIT.USAGE, hint: 'Pass --sigstore-trusted-root FILE with a Sigstore trusted_root.json, or run `py2distro trust refresh`.' },
  E_TRUST_LOCK: { exit: EXIT.USAGE, hint: 'The trust lock file is not one py2distro wrote; fix it by hand (it is JSON) or remove it to start over.' },
  E_ENGINE_MISSING: { exit: EXIT.USAGE, hint: 'Install podman or docker, or choose one with --engine / PY2DISTRO_ENGINE.' },

  // network and index (exit 1)
  E_INDEX_HTTP: { exit: EXIT.FAILURE, hint: 'Check --index-url, network access, proxy settings and credentials (~/.netrc).' },
  E_INDEX_PARSE: { exit: EXIT.FAILURE, hint: 'The index answered with something that is neither PEP 691 JSON nor PEP 503 HTML.' },
  E_NOT_FOUND: { exit: EXIT.FAILURE, hint: 'Check the project name and the index URL.' },
  E_NO_MATCHING_VERSION: { exit: EXIT.FAILURE, hint: 'Relax the version specifier, or add --pre to allow pre-releases.' },
  E_NO_SDIST: { exit: EXIT.FAILURE, hint: 'py2distro builds from source distributions; ask upstream to publish an sdist.' },
  E_DOWNLOAD: { exit: EXIT.FAILURE, hint: 'Retry later; check the network and the index.' },
  E_DOWNLOAD_TOO_LARGE: { exit: EXIT.FAILURE, hint: 'The file exceeds the download limit; raise --max-download-size (config max-download-size) if it is genuine.' },

  // verification (exit 3)
  E_HASH_MISMATCH: { exit: EXIT.VERIFY, hint: 'The file is not what the index promised. Do not use it; report it to the index operator.' },
  E_HASH_MISSING: { exit: EXIT.VERIFY, hint: 'The index gave no sha256 for the file, so it cannot be checked.' },
  E_SIGNATURE_MISSING: { exit: EXIT.VERIFY, hint: 'The signature policy is "required" but upstream published no signature. Use --signature-policy if-present to accept unsigned files.' },
  E_SIGNATURE_BAD: { exit: EXIT.VERIFY, hint: 'The file was modified after it was signed, or the signature belongs to another file. Do not use it.' },
  E_SIGNATURE_UNKNOWN_KEY: { exit: EXIT.VERIFY, hint: 'Add the signer\'s public key to a --keyring file and pin it with --trust.' },
  E_SIGNATURE_UNTRUSTED: { exit: EXIT.VERIFY, hint: 'The signer is in the keyring but not pinned for this package.' },
  E_SIGNATURE_WRONG_KEY: { exit: EXIT.VERIFY, hint: 'The package is pinned to another key. If upstream rotated its key, verify the new key out of band and update the pin.' },
  E_SIGNATURE_KEY_EXPIRED: { exit: EXIT.VERIFY, hint: 'The signing key has expired. Get the refreshed key from upstream (expiry extended) and update the keyring.' },
  E_SIGNATURE_KEY_REVOKED: { exit: EXIT.VERIFY, hint: 'The signing key was revoked by its owner. Do not trust files signed with it.' },
  E_SIGNATURE_WEAK: { exit: EXIT.VERIFY, hint: 'SHA-1/MD5 signatures and DSA keys are refused, as apt and gpgv refuse them.' },
  E_ATTESTATION_INVALID: { exit: EXIT.VERIFY, hint: 'The PEP 740 attestation does not verify (certificate, transparency log, timestamp or signature). Do not use the file.' },
  E_ATTESTATION_SUBJECT: { exit: EXIT.VERIFY, hint: 'The attestation is for another file (name or sha256). Do not use the file.' },
  E_ATTESTATION_MISSING: { exit: EXIT.VERIFY, hint: 'The project is pinned to a Trusted Publisher, but the index served no attestation for this file.' },
  E_PUBLISHER_UNKNOWN: { exit: EXIT.VERIFY, hint: 'The attestation is valid but its publisher is not pinned: add --trust-publisher NAME=PIN.' },
  E_PUBLISHER_MISMATCH: { exit: EXIT.VERIFY, hint: 'The attestation was made by another publisher than the pinned one.' },
  E_TRUST_LOCK_CHANGED: { exit: EXIT.VERIFY, hint: 'The identity that vouches for this project changed since the trust lock recorded it. If the change is genuine, run `py2distro trust accept NAME`.' },
  E_METADATA_MISMATCH: { exit: EXIT.VERIFY, hint: 'The verified file is not the project or version that was asked for; the index served something else under this name.' },
  E_SIGNATURE_FORMAT: { exit: EXIT.VERIFY, hint: 'The signature file is not a valid OpenPGP detached signature.' },

  // inspect and render (exit 1)
  E_SDIST_UNSAFE: { exit: EXIT.FAILURE, hint: 'The archive contains entries that could write outside its directory; it was not extracted.' },
  E_SDIST_TOO_LARGE: { exit: EXIT.FAILURE, hint: 'The archive exceeds the extraction limits (files or bytes); raise them in the config if it is genuine.' },
  E_SDIST_LAYOUT: { exit: EXIT.FAILURE, hint: 'An sdist must contain exactly one top-level directory with PKG-INFO or pyproject.toml.' },
  E_METADATA: { exit: EXIT.FAILURE, hint: 'The sdist\'s metadata could not be read; see the cause.' },
  E_NAME_INVALID: { exit: EXIT.FAILURE, hint: 'The name or version cannot be expressed safely in the target\'s packaging grammar.' },
  E_TEMPLATE: { exit: EXIT.FAILURE, hint: 'A packaging template failed to render; check --templates overrides.' },
  E_RUST_CRATES: { exit: EXIT.FAILURE, hint: 'The offline build can only use Rust crates pinned by a Cargo.lock in the sdist; ask upstream to include it (maturin and setuptools-rust sdists usually do).' },
  E_BUILD_REQUIREMENT: { exit: EXIT.FAILURE, hint: 'Publish the missing build requirement on the index (--index-url), or pass a package of it with --local-repo.' },

  // build (exit 1)
  E_ENGINE_UNREACHABLE: { exit: EXIT.FAILURE, hint: 'Start the container engine (docker daemon / podman service) or check CONTAINERS_CONF.' },
  E_ENGINE_TRANSFER: { exit: EXIT.FAILURE, hint: 'Copying files to or from the engine failed; check that the engine host is reachable and has disk space.' },
  E_PLAN_INVALID: { exit: EXIT.USAGE, hint: 'The plan or build record is damaged or was not written by py2distro; make a new plan with `sync --plan FILE`.' },
  E_PLAN_MISMATCH: { exit: EXIT.VERIFY, hint: 'This builder does not reproduce the plan (another py2distro version, docker/ context, templates or sdist); run the same py2distro version and configuration as the planner.' },
  E_PLAN_STALE: { exit: EXIT.FAILURE, hint: 'The repository changed since the plan was made (another sync published); make a new plan and build it again.' },
  E_COLLECT_REFUSED: { exit: EXIT.VERIFY, hint: 'A build record or artifact does not match the plan; nothing was published. Rebuild the named jobs from the plan.' },
  E_IMAGE_BUILD: { exit: EXIT.FAILURE, hint: 'The builder image could not be built; see the log.' },
  E_IMAGE_BASE: { exit: EXIT.FAILURE, hint: 'The base image cannot be pulled and cannot be bootstrapped offline.' },
  E_BUILD_FAILED: { exit: EXIT.FAILURE, hint: 'The package build failed inside the container; read the build log.' },
  E_DISTRO_NAME: { exit: EXIT.USAGE, hint: 'The package name is one the target distribution already ships.' },
  E_BUILD_UNEXPECTED: { exit: EXIT.VERIFY, hint: 'The build produced packages, names, versions or maintainer scripts that py2distro did not render; nothing of it was kept or published. Inspect the sdist: its build is hostile or broken.' },
  E_BUILD_TIMEOUT: { exit: EXIT.FAILURE, hint: 'The build exceeded its wall-clock limit; raise --build-timeout if the package is genuinely slow.' },
  E_EXEC: { exit: EXIT.FAILURE, hint: 'An external program failed; see its output above.' },
  E_TOOL_MISSING: { exit: EXIT.USAGE, hint: 'Install the missing program (see README, "Requirements").' },

  // sign and publish (exit 1)
  E_SIGN: { exit: EXIT.FAILURE, hint: 'Signing failed; check the key and passphrase (PY2DISTRO_SIGN_PASSPHRASE or a passphrase file).' },
  E_REPO_LOCKED: { exit: EXIT.FAILURE, hint: 'Another py2distro is publishing to this repository. Wait, or remove the stale lock if its process is gone.' },
  E_REPO_CONFLICT: { exit: EXIT.FAILURE, hint: 'That version is already published with different content. Bump the version or the Debian revision; published files are never replaced.' },
  E_REPO_CORRUPT: { exit: EXIT.FAILURE, hint: 'The repository on disk is not in a state py2distro wrote; restore it from backup.' },
  E_PACKAGE_FORMAT: { exit: EXIT.FAILURE, hint: 'The file is not a valid .deb or .rpm package.' },

  // sync (exit 1)
  E_SYNC_FAILED: { exit: EXIT.FAILURE, hint: 'Some packages failed; see the run report for each reason and log.' },
  E_DEPENDENCY: { exit: EXIT.FAILURE, hint: 'A dependency cannot be satisfied on this target; see the report and the conflict policy.' },

  E_ABORTED: { exit: EXIT.FAILURE, hint: 'Interrupted; nothing partial was kept.' },
  E_IO: { exit: EXIT.FAILURE, hint: 'A file or directory could not be read or written; check the path, its permissions and free space.' },
  E_INTERNAL: { exit: EXIT.FAILURE, hint: 'This is a bug in py2distro: please report it with the output of -v.' },
} as const satisfies Record<string, Entry>;

export type ErrorCode = keyof typeof CATALOGUE;

export interface ErrorDetails {
  /** Overrides the catalogue's default hint with a more specific fix (e.g. the exact --trust flag). */
  hint?: string;
  cause?: unknown;
  /** Extra structured facts for --json output (file, fingerprint, …). */
  details?: Record<string, unknown>;
}

/** An expected failure: exits with the catalogue's code and prints message + hint. */
export class Py2DistroError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly exitCode: ExitCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: ErrorDetails = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'Py2DistroError';
    this.code = code;
    this.hint = opts.hint ?? CATALOGUE[code].hint;
    this.exitCode = CATALOGUE[code].exit;
    this.details = opts.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, exitCode: this.exitCode, ...this.details };
  }
}

/** An invariant broke: this is py2distro's fault, not the user's. */
export class BugError extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(`${message} — this is a bug in py2distro, please report it with the output of -v`, opts);
    this.name = 'BugError';
  }
}

export function isPy2DistroError(err: unknown): err is Py2DistroError {
  return err instanceof Py2DistroError;
}

/** Exit code for anything thrown out of a command. Verification failures win over other failures. */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof Py2DistroError) return err.exitCode;
  if (err instanceof AggregateError) {
    const codes = err.errors.map(exitCodeFor);
    if (codes.includes(EXIT.VERIFY)) return EXIT.VERIFY;
    if (codes.includes(EXIT.USAGE)) return EXIT.USAGE;
  }
  return EXIT.FAILURE;
}

/**
 * A failure as a value with a catalogue code (for reports, which must never carry a raw Node errno
 * such as ENOENT as their code): a Py2DistroError keeps its own; a Node I/O error is E_IO with the
 * errno kept in the message; anything else is E_INTERNAL.
 */
export function errorOutcome(err: unknown): { code: ErrorCode; message: string } {
  if (err instanceof Py2DistroError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno) && !(errno in CATALOGUE)) return { code: 'E_IO', message };
  return { code: 'E_INTERNAL', message };
}
