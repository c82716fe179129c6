/**
 * What the CLI knows of how it was started: the URL of the bundle it runs from (bin/meshplan.mjs sets it; absent when
 * the sources run through tsx), so that a worker thread can load the same bundle instead of the sources.
 */
let bundle: string | undefined;

export function setBundleUrl(url: string | undefined): void {
  bundle = url;
}

export function bundleUrl(): string | undefined {
  return bundle;
}
