// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird

/// A Matrix error: rendered as `{"errcode": "M_…", "error": "…"}` with its HTTP status
/// (matrix-e2e.md §2). The one error style of the server layer.
public struct MatrixError: Error, HTTPResponseError, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let errcode: String
    public let message: String

    public init(_ status: HTTPResponse.Status, _ errcode: String, _ message: String) {
        self.status = status
        self.errcode = errcode
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try Body(errcode: errcode, error: message).response(from: request, context: context)
        response.status = status
        return response
    }

    private struct Body: ResponseEncodable {
        let errcode: String
        let error: String
    }

    /// 404 `M_UNRECOGNIZED`: the server does not know this endpoint.
    public static func unrecognized(_ message: String = "Unrecognized request") -> MatrixError {
        MatrixError(.notFound, "M_UNRECOGNIZED", message)
    }

    /// 500 `M_UNKNOWN`, with a request id whose details are in the log.
    public static func unknown(requestID: String) -> MatrixError {
        MatrixError(.internalServerError, "M_UNKNOWN", "Internal error (request \(requestID))")
    }
}
