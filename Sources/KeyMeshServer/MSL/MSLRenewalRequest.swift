// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import KeyMeshCrypto
import KeyMeshMSL
import KeyMeshMatrixAPI

/// The body of `POST /_keymesh/msl/v1/renew` (docs/MSL.md §11):
/// `{"mastertoken":{…},"headerdata":binary,"signature":binary}`, where `headerdata` is the UTF-8
/// JSON `{"keyrequestdata":[…],"timestamp":SECONDS}` and `signature` is HMAC-SHA256 over those
/// exact bytes with the token's session HMAC key. Parsing checks shapes only; the signature is
/// checked by ``verify(hmacKey:)`` once the token has given up its keys.
struct MSLRenewalRequest {
    let masterToken: JSONValue
    let headerdata: [UInt8]
    let signature: [UInt8]

    /// - Throws: `MSL_PARSE_ERROR` for anything but that shape or bad base64.
    init(_ body: JSONValue) throws(MSLError) {
        guard let object = body.objectValue else { throw MSLError(.mslParseError, "the body is not an object") }
        guard let token = object["mastertoken"], token.objectValue != nil else {
            throw MSLError(.mslParseError, "mastertoken missing or not an object")
        }
        guard let headerdata = object["headerdata"]?.stringValue, let signature = object["signature"]?.stringValue else {
            throw MSLError(.mslParseError, "headerdata or signature missing or not a string")
        }
        masterToken = token
        self.headerdata = try MSLBase64.decode(headerdata)
        self.signature = try MSLBase64.decode(signature)
    }

    /// Whether `signature` is the HMAC-SHA256 of `headerdata` under `hmacKey`, in constant time.
    func verify(hmacKey: SecretBytes) -> Bool {
        signature.count == 32 && HMACSHA256.isValid(tag: signature, key: hmacKey, message: headerdata)
    }

    /// The signed header: the offers and the requester's clock.
    /// - Throws: `MSL_PARSE_ERROR` if `headerdata` is not that JSON object.
    func header() throws(MSLError) -> (offers: [JSONValue], timestamp: Int64) {
        guard let object = try MSLJSON.parse(headerdata).objectValue else {
            throw MSLError(.mslParseError, "headerdata is not an object")
        }
        guard let timestamp = object["timestamp"]?.intValue else {
            throw MSLError(.mslParseError, "headerdata timestamp missing or not an integer")
        }
        return (try Self.offers(object["keyrequestdata"]), timestamp)
    }

    /// `keyrequestdata`: an array of offers, or one offer object (docs/MSL.md §2).
    static func offers(_ value: JSONValue?) throws(MSLError) -> [JSONValue] {
        switch value {
        case .array(let offers)?: return offers
        case .object(let offer)?: return [.object(offer)]
        case nil, .null?, .bool?, .int?, .string?: throw MSLError(.mslParseError, "keyrequestdata missing or not an array")
        }
    }
}
