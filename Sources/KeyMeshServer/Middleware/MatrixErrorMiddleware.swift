// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import Logging
import NIOHTTP1

/// Turns every failure into Matrix error JSON: unknown routes become 404/405 `M_UNRECOGNIZED`,
/// other framework errors keep their status with `M_UNKNOWN`, and unexpected faults become 500
/// `M_UNKNOWN` with a request id; their details go to the log, never to the client.
struct MatrixErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as MatrixError {
            throw error
        } catch let error as HTTPParserError {
            throw error  // malformed framing (a bad chunk, conflicting lengths): Hummingbird answers 400 and closes
        } catch let error as HTTPError {
            switch error.status {
            case .notFound, .methodNotAllowed:
                throw MatrixError(error.status, "M_UNRECOGNIZED", "Unrecognized request")
            case .contentTooLarge:
                throw MatrixError(error.status, "M_TOO_LARGE", "Request body too large")
            default:
                throw MatrixError(error.status, "M_UNKNOWN", error.body ?? "Request failed")
            }
        } catch {
            if let refusal = MatrixError(storeError: error) { throw refusal }
            let requestID = context.id
            context.logger.error("request failed", metadata: ["request": "\(requestID)", "error": "\(error)"])
            throw MatrixError.unknown(requestID: requestID)
        }
    }
}
