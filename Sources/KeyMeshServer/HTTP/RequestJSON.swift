// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMatrixAPI
import NIOCore

/// Reading request bodies: at most `limit` bytes (413 `M_TOO_LARGE` beyond), parsed by the
/// strict ``JSONParser``: 400 `M_NOT_JSON` if it is not JSON, 400 `M_BAD_JSON` if it is JSON
/// but not an object (an array or a string is JSON; Synapse answers the same).
enum RequestJSON {
    static func object(_ request: Request, limit: Int) async throws -> JSONObject {
        let buffer = try await body(request, limit: limit)
        let value: JSONValue
        do {
            value = try JSONParser.parse(buffer.readableBytesView)
        } catch {
            throw MatrixError.notJSON("Content not JSON: \(error)")
        }
        guard let object = value.objectValue else { throw MatrixError.badJSON("Content must be a JSON object") }
        return object
    }

    /// The raw body, at most `limit` bytes.
    private static func body(_ request: Request, limit: Int) async throws -> ByteBuffer {
        var request = request
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge(limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge(limit)
        }
    }

    private static func tooLarge(_ limit: Int) -> MatrixError {
        MatrixError(.contentTooLarge, "M_TOO_LARGE", "Request body is larger than \(limit) bytes")
    }

    /// A body that may be empty (`POST /logout` and friends): empty means `{}`.
    static func optionalObject(_ request: Request, limit: Int) async throws -> JSONObject {
        let buffer = try await body(request, limit: limit)
        if buffer.readableBytesView.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return [:] }
        let value: JSONValue
        do {
            value = try JSONParser.parse(buffer.readableBytesView)
        } catch {
            throw MatrixError.notJSON("Content not JSON: \(error)")
        }
        guard let object = value.objectValue else { throw MatrixError.badJSON("Content must be a JSON object") }
        return object
    }
}
