// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import KeyMeshMSL
import KeyMeshMatrixAPI

/// Calls to the server's MSL issuer endpoints, `/_keymesh/msl/v1/…` (docs/MSL.md §11): MSL JSON
/// both ways; an `ORG_KEYMESH_MSL` refusal becomes ``ClientError/msl(code:name:status:)``, any
/// other error ``ClientError/server(status:errcode:message:)``.
extension HomeserverConnection {
    /// The largest answer read (docs/MSL.md §12).
    static let maxMSLAnswerBytes = 64 * 1024

    /// POSTs `body` to `/_keymesh/msl/v1/<endpoint>` and returns its `keyresponsedata`.
    func msl(_ endpoint: String, token: String?, body: JSONObject) async throws -> JSONValue {
        let url = baseURL.appendingPathComponent("_keymesh/msl/v1/" + endpoint)
        var headers = ["Accept": "application/json", "Content-Type": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let (status, answer) = try await transport.send(method: "POST", url: url, headers: headers,
                                                        body: MSLJSON.encode(.object(body)))
        guard answer.count <= Self.maxMSLAnswerBytes else {
            throw ClientError.malformedResponse("POST msl/\(endpoint): answer larger than \(Self.maxMSLAnswerBytes) bytes")
        }
        let parsed = (try? MSLJSON.parse(answer))?.objectValue
        guard (200..<300).contains(status) else {
            if parsed?["errcode"]?.stringValue == "ORG_KEYMESH_MSL", let internalCode = parsed?["internalcode"]?.intValue {
                throw ClientError.msl(code: Int(internalCode) - 100_000, name: parsed?["error"]?.stringValue ?? "", status: status)
            }
            throw ClientError.server(status: status, errcode: parsed?["errcode"]?.stringValue ?? "M_UNKNOWN",
                                     message: parsed?["error"]?.stringValue ?? "HTTP \(status)")
        }
        guard let response = parsed?["keyresponsedata"], response.objectValue != nil else {
            throw ClientError.malformedResponse("POST msl/\(endpoint): no keyresponsedata object")
        }
        return response
    }
}
