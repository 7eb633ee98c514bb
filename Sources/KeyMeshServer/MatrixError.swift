// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI

/// A Matrix error: rendered as `{"errcode": "M_…", "error": "…", …extra}` with its HTTP status
/// (docs/SERVER.md "Endpoints"). The one error type of the server layer; user-interactive-auth challenges
/// and rate limits add their fields through `extra`.
public struct MatrixError: Error, HTTPResponseError, Sendable, Equatable {
    public let status: HTTPResponse.Status
    /// Nil only for the first challenge of user-interactive auth, which carries no error.
    public let errcode: String?
    public let message: String
    /// More members of the body (UIA `flows`/`session`, `retry_after_ms`).
    public let extra: JSONObject
    /// More response headers (`Retry-After`).
    public let headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ errcode: String?, _ message: String,
                extra: JSONObject = [:], headers: HTTPFields = [:]) {
        self.status = status
        self.errcode = errcode
        self.message = message
        self.extra = extra
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = extra
        if let errcode {
            body["errcode"] = .string(errcode)
            body["error"] = .string(message)
        }
        var response = JSONResponse.make(body, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// 400 `M_NOT_JSON`: the body is not a JSON object.
    public static func notJSON(_ message: String) -> MatrixError { MatrixError(.badRequest, "M_NOT_JSON", message) }
    /// 400 `M_BAD_JSON`: JSON of the wrong shape.
    public static func badJSON(_ message: String) -> MatrixError { MatrixError(.badRequest, "M_BAD_JSON", message) }
    /// 400 `M_MISSING_PARAM`.
    public static func missingParam(_ message: String) -> MatrixError { MatrixError(.badRequest, "M_MISSING_PARAM", message) }
    /// 400 `M_INVALID_PARAM`.
    public static func invalidParam(_ message: String) -> MatrixError { MatrixError(.badRequest, "M_INVALID_PARAM", message) }
    /// 403 `M_FORBIDDEN`.
    public static func forbidden(_ message: String) -> MatrixError { MatrixError(.forbidden, "M_FORBIDDEN", message) }
    /// 404 `M_NOT_FOUND`.
    public static func notFound(_ message: String) -> MatrixError { MatrixError(.notFound, "M_NOT_FOUND", message) }

    /// 404 `M_UNRECOGNIZED`: the server does not know this endpoint.
    public static func unrecognized(_ message: String = "Unrecognized request") -> MatrixError {
        MatrixError(.notFound, "M_UNRECOGNIZED", message)
    }

    /// 500 `M_UNKNOWN`, with a request id whose details are in the log.
    public static func unknown(requestID: String) -> MatrixError {
        MatrixError(.internalServerError, "M_UNKNOWN", "Internal error (request \(requestID))")
    }
}
