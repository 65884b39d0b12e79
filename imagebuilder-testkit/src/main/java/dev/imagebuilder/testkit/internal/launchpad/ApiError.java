package dev.imagebuilder.testkit.internal.launchpad;

/** An error answer: status and Launchpad's {@code text/plain} body. */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;

  ApiError(int status, String text) {
    super(text, null, false, false);
    this.status = status;
  }

  static ApiError badRequest(String text) { return new ApiError(400, text); }
  static ApiError notFound(String text) { return new ApiError(404, text); }
  static ApiError unauthorized(String text) { return new ApiError(401, text); }
}
