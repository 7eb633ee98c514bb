// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI
import NIOCore

/// JSON responses: every body the server writes goes through here, encoded as canonical JSON
/// (compact, sorted), so stored signed objects come back exactly as they were signed.
enum JSONResponse {
    static func make(_ body: JSONObject, status: HTTPResponse.Status = .ok) -> Response {
        // Values reach here from parsed requests or the store, both limited to the safe integer
        // range, so encoding cannot fail; if it ever did, the client gets a 500, not a trap.
        guard let bytes = try? CanonicalJSON.encode(.object(body)) else {
            return make(["errcode": "M_UNKNOWN", "error": "Response could not be encoded"], status: .internalServerError)
        }
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A body already encoded (``JSONSplice``).
    static func make(bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Parses JSON the server itself stored (a signed key object, a message content).
    static func stored(_ json: String) throws -> JSONValue {
        do { return try JSONParser.parse(json) } catch { throw StoredJSONError(underlying: error) }
    }
}

/// Stored JSON that no longer parses: a server fault (500), never the client's.
struct StoredJSONError: Error {
    let underlying: JSONParseError
}
