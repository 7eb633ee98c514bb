// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMSL
import KeyMeshMatrixAPI
import NIOCore

/// The MSL issuer endpoints (docs/MSL.md §11, docs/SERVER.md "MSL issuer"):
///
/// - `POST /_keymesh/msl/v1/token` with the device's access token and `{"keyrequestdata":[…]}`
///   issues a new master token for that device;
/// - `POST /_keymesh/msl/v1/renew`, with no access token, renews a token for whoever signs the
///   request with the token's session HMAC key.
///
/// Both answer `200 {"keyresponsedata":{…}}`. Bodies are at most 64 KiB and parsed by MSL's
/// strict reader (docs/MSL.md §12); every refusal is `ORG_KEYMESH_MSL` error JSON with MSL's
/// numbers (``MatrixError/init(msl:)``), and stores nothing.
struct MSLController<Context: RequestContext>: Sendable {
    let state: ServerState
    /// The issuer, or why the configuration could not make one (``buildApplication(config:)``
    /// refuses to start then; in-process it makes every MSL request a 500).
    let service: Result<MSLService, MSLError>

    init(state: ServerState) {
        self.state = state
        service = Result { () throws(MSLError) in try MSLService(settings: state.config.msl, store: state.store) }
    }

    func addRoutes(to router: Router<Context>) {
        let group = router.group("/_keymesh/msl/v1")
        group.post("token") { request, _ in
            let requester = try await state.authenticator.require(request)
            let service = try service.get()
            return try await answer {
                let body = try await Self.body(request)
                guard let object = body.objectValue else { throw MSLError(.mslParseError, "the body is not an object") }
                let offers = try MSLRenewalRequest.offers(object["keyrequestdata"])
                return try await service.issue(offers: offers, for: requester.device, now: ClientAPI.now())
            }
        }
        group.post("renew") { request, _ in
            let service = try service.get()
            return try await answer { try await service.renew(try await Self.body(request), now: ClientAPI.now()) }
        }
    }

    /// `{"keyresponsedata": …}` from `body`, or the MSL error it threw as Matrix error JSON.
    private func answer(_ body: () async throws -> JSONValue) async throws -> Response {
        do {
            let response = try await body()
            return JSONResponse.make(bytes: MSLJSON.encode(.object(["keyresponsedata": response])))
        } catch let error as MSLError {
            throw MatrixError(msl: error)
        }
    }

    /// The body, at most ``MSLSettings/maxBodyBytes``, parsed by MSL's reader (docs/MSL.md §12).
    /// - Throws: `MSL_PARSE_ERROR` if it is larger or not JSON.
    static func body(_ request: Request) async throws -> JSONValue {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: MSLSettings.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw MSLError(.mslParseError, "the body is larger than \(MSLSettings.maxBodyBytes) bytes")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw MSLError(.mslParseError, "the body is larger than \(MSLSettings.maxBodyBytes) bytes")
        }
        return try MSLJSON.parse(buffer.readableBytesView)
    }
}
