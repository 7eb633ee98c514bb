// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Why a client call failed. Messages carry no secrets and no plaintext.
public enum ClientError: Error, Equatable, Sendable {
    /// The homeserver answered with a Matrix error.
    case server(status: Int, errcode: String, message: String)
    /// The request did not get an answer (connection refused, timeout, …).
    case transport(String)
    /// The answer was not the JSON the API promises.
    case malformedResponse(String)
    /// The call needs a logged-in device.
    case notLoggedIn
    /// The store is already open in another process.
    case storeLocked
    /// A sealed record of the store does not open with the key given.
    case wrongStoreKey
    /// The local store failed (I/O, corruption).
    case store(String)
    /// The call needs cross-signing keys, and this device holds none.
    case noCrossSigningKeys
    /// The user has no master key to verify, or its key does not match the expected one.
    case cannotVerify(String)
    /// A P2P authorisation, hand-over or revocation failed (docs/P2P.md): a wrong code, no
    /// answer in time, a refused grant.
    case authorisation(String)
    /// The server refused an MSL request (docs/MSL.md §9, §11), or its answer failed the
    /// requester's checks: MSL's numeric `code` (`internalcode` − 100000) and constant `name`;
    /// `status` is the HTTP status (0 when the client itself refused the answer).
    case msl(code: Int, name: String, status: Int)
}

extension ClientError: CustomStringConvertible {
    /// A one-line explanation for people (the CLI prints it).
    public var description: String {
        switch self {
        case .server(let status, let errcode, let message): "the server refused (\(status) \(errcode)): \(message)"
        case .transport(let why): "cannot reach the server: \(why)"
        case .malformedResponse(let what): "the server's answer is malformed: \(what)"
        case .notLoggedIn: "not logged in (run `keymesh client register` or `login` first)"
        case .storeLocked: "the profile is in use by another keymesh process"
        case .wrongStoreKey: "the store key does not open this profile"
        case .store(let why): "local store error: \(why)"
        case .noCrossSigningKeys: "this device holds no cross-signing keys"
        case .cannotVerify(let why): "cannot verify: \(why)"
        case .authorisation(let why): "authorisation failed: \(why)"
        case .msl(let code, let name, let status): "MSL refused (\(status == 0 ? "client" : String(status)) \(name), code \(code))"
        }
    }
}
