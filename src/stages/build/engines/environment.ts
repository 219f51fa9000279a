/**
 * The environment a podman/docker process gets: an allow-list, never py2distro's whole
 * environment. The engine runs with the user's rights and hands its environment to helpers
 * (conmon, runtimes, credential helpers, `--env-host`); py2distro's own variables — the signing
 * passphrase above all — have no business there. Kept: what the engines document they read
 * (containers.conf, storage and registries paths, the DOCKER_ and CONTAINER_ connection settings, proxies
 * for pulls) and the basics a program needs (PATH, HOME, locale, XDG dirs, the user's D-Bus for
 * rootless cgroups).
 */

const EXACT = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'TZ', 'LANG', 'LANGUAGE', 'TERM', 'NO_COLOR',
  'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'DBUS_SESSION_BUS_ADDRESS',
  'CONTAINERS_CONF', 'CONTAINERS_CONF_OVERRIDE', 'CONTAINERS_STORAGE_CONF', 'CONTAINERS_REGISTRIES_CONF',
  'CONTAINERS_POLICY_JSON', 'REGISTRY_AUTH_FILE', 'CONTAINER_HOST', 'CONTAINER_CONNECTION', 'CONTAINER_SSHKEY',
  'STORAGE_DRIVER', 'STORAGE_OPTS', 'BUILDAH_FORMAT', 'BUILDAH_ISOLATION',
  'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_BUILDKIT',
  'DOCKER_API_VERSION', 'DOCKER_DEFAULT_PLATFORM',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR',
]);
const PREFIXES = ['LC_'];

/** The allow-listed subset of `env` (process.env by default). */
export function engineEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (EXACT.has(k) || PREFIXES.some((p) => k.startsWith(p))) out[k] = v;
  }
  return out;
}
