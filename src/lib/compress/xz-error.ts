/**
 * What the xz decoder throws: XzError for input that is not valid .xz (or uses a feature this
 * decoder refuses), XzLimitError when the output would pass maxOutput. Callers map both to their
 * own error codes; the message is a short reason.
 */
export class XzError extends Error {
  override name = 'XzError';
}

export class XzLimitError extends XzError {
  override name = 'XzLimitError';
}
