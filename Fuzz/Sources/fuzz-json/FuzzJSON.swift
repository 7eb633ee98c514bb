// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import FuzzSupport
import KeyMeshMatrixAPI

/// The JSON parser: any bytes parse or throw a JSONParseError whose offset lies inside the input.
@main
enum Main {
    static func main() { runFuzzer(fuzzJSON) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(data, count)
    do {
        _ = try JSONParser.parse(input)
    } catch {
        if let offset = offset(of: error), !(0...input.count).contains(offset) {
            fuzzFailure("\(error) outside \(input.count) bytes")
        }
    }
    return 0
}

func offset(of error: JSONParseError) -> Int? {
    switch error {
    case .unexpectedByte(let o), .invalidUnicode(let o), .unescapedControlCharacter(let o), .invalidEscape(let o),
         .floatNotAllowed(let o), .integerOutOfRange(let o), .invalidNumber(let o), .trailingData(let o),
         .tooManyMembers(let o, _), .tooManyElements(let o, _), .stringTooLong(let o, _):
        o
    case .unexpectedEnd, .duplicateKey, .tooDeep, .inputTooLarge: nil
    }
}
