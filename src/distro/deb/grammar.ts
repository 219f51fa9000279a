/** The Debian name grammars py2distro holds package fields and repository paths to (Policy §5.6.1, §5.6.12, §11.1). */
export const DEB_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
export const DEB_VERSION = /^(?:[0-9]+:)?[0-9][A-Za-z0-9.+~-]*$/;
export const DEB_ARCH = /^[a-z0-9][a-z0-9-]*$/;
