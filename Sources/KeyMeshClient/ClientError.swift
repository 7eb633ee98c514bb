// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

/// Why a client call failed.
public enum ClientError: Error, Equatable, Sendable {
    /// The homeserver answered with a Matrix error.
    case server(status: Int, errcode: String, message: String)
    /// The request did not get an answer (connection refused, timeout, …).
    case transport(String)
    /// The answer was not the JSON the API promises.
    case malformedResponse(String)
    /// The call needs a logged-in device.
    case notLoggedIn
}
