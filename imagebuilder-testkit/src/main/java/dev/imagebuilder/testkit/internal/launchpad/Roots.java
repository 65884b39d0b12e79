package dev.imagebuilder.testkit.internal.launchpad;

/**
 * The service root and web root as one client sees them: scheme, host string and port taken from
 * the request, so every link leads back to the address the client used.
 */
record Roots(String api, String web) {
  static final String VERSION_PATH = "devel/";

  static Roots forHost(String scheme, String hostAndPort) {
    String web = scheme + "://" + hostAndPort + "/";
    return new Roots(web + VERSION_PATH, web);
  }

  String api(String path) { return api + path; }
  String web(String path) { return web + path; }
  String type(String id) { return api + "#" + id; }

  /** The path below the service root of an absolute API URL, or null when it is not one of ours. */
  String relative(String url) {
    return url != null && url.startsWith(api) ? url.substring(api.length()) : null;
  }
}
