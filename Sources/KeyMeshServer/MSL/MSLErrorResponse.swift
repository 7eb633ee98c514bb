// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import KeyMeshMSL

extension MatrixError {
    /// The error code of every MSL refusal (docs/MSL.md §11).
    static let mslErrcode = "ORG_KEYMESH_MSL"

    /// An MSL refusal as Matrix error JSON (docs/MSL.md §11):
    /// `{"errcode":"ORG_KEYMESH_MSL","error":NAME,"internalcode":100000+code,"errorcode":RESPONSECODE}`,
    /// 401 when MSL's response code is ENTITY_REAUTH (the master-token errors), else 400. The
    /// error's detail is not sent: it is for the server's log.
    init(msl error: MSLError) {
        let status: HTTPResponse.Status = error.code.responseCode == .entityReauth ? .unauthorized : .badRequest
        self.init(status, Self.mslErrcode, error.code.name,
                  extra: ["internalcode": .int(Int64(error.internalCode)),
                          "errorcode": .int(Int64(error.code.responseCode.rawValue))])
    }
}
