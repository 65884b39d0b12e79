package dev.imagebuilder.testkit;

/**
 * One request the fake Launchpad received, for assertions.
 *
 * @param method the HTTP method (after {@code X-HTTP-Method-Override})
 * @param path the encoded request path, such as {@code /devel/~o/p/+oci/x/+recipe/r}
 * @param wsOp the named operation ({@code ws.op} of the query or form), or null
 * @param status the status answered (a reset connection is recorded with the status it lost)
 * @param anonymous whether the caller was anonymous
 * @param fault the injected fault that hit this request ({@code SERVICE_UNAVAILABLE},
 *     {@code RESET_BEFORE}, {@code RESET_AFTER}, {@code SLOW}, {@code SERVER_ERROR}, {@code HOLD},
 *     {@code ANSWER}), or null
 * @param processed whether the request reached the fake's handlers (false when a fault answered
 *     instead); it was acted on when this is true and the status is 2xx
 */
public record RecordedCall(String method, String path, String wsOp, int status, boolean anonymous, String fault,
    boolean processed) {}
