// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Foundation
import Hummingbird

/// Identifiers taken from the request path (`{userId}`, `{type}`, `{filterId}`): percent-decoded
/// (clients send `@alice:hs` as `%40alice%3Ahs`) and checked with the one ``Identifier`` rule.
enum PathParameter {
    /// The decoded parameter `name`; `what` names it in errors.
    /// - Throws: 400 `M_MISSING_PARAM` if absent, `M_INVALID_PARAM` if it is not an identifier.
    static func identifier(_ context: some RequestContext, _ name: String, _ what: String) throws(MatrixError) -> String {
        let text = try decoded(context, name, what)
        try Identifier.check(text, what)
        return text
    }

    /// The parameter `name`, percent-decoded exactly once. Text that is not valid
    /// percent-encoded UTF-8 (`%FF`, a lone `%`) is refused rather than used raw, so one
    /// identifier never has two spellings.
    /// - Throws: 400 `M_MISSING_PARAM` if absent, `M_INVALID_PARAM` if it does not decode.
    static func decoded(_ context: some RequestContext, _ name: String, _ what: String) throws(MatrixError) -> String {
        guard let raw = context.parameters.get(name) else { throw .missingParam("Missing \(what)") }
        guard let text = raw.removingPercentEncoding else {
            throw .invalidParam("\(what) must be valid percent-encoded UTF-8")
        }
        return text
    }

    /// The `{userId}` of a path that only its own user may use (filters, account data).
    /// - Throws: 403 `M_FORBIDDEN` if it is not the requester's user id (as Synapse).
    static func ownUserID(_ context: some RequestContext, requester: Requester, action: String) throws(MatrixError) -> String {
        let userID = try identifier(context, "userId", "User id")
        guard userID == requester.userID else { throw .forbidden("Cannot \(action) for other users") }
        return userID
    }
}
