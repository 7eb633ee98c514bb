// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2026 KeyMesh contributors

import Hummingbird
import Logging
import NIOHTTP1
import NIOCore

/// The router as `keymesh serve` answers with it: CORS on every response (errors included),
/// `OPTIONS` answered on any path, and a known path called with a method it does not serve
/// answered 405 `M_UNRECOGNIZED` with `Allow` rather than Hummingbird's 404 (spec "Web Browser
/// Clients" and "Standard error response").
struct MatrixRouter<Context: RequestContext>: HTTPResponderBuilder {
    let router: Router<Context>

    init(_ router: Router<Context>) {
        self.router = router
        // first, so it is the outermost middleware of every route and of the not-found responder
        router.add(middleware: RouteProbeMiddleware())
    }

    func buildResponder() -> MatrixResponder<Context> {
        MatrixResponder(inner: router.buildResponder())
    }
}

/// See ``MatrixRouter``.
struct MatrixResponder<Context: RequestContext>: HTTPResponder {
    let inner: RouterResponder<Context>
    /// The methods a route may have, tried in turn to tell 405 from 404.
    static var methods: [HTTPRequest.Method] { [.get, .put, .post, .delete] }

    func respond(to request: Request, context: Context) async throws -> Response {
        var response: Response
        if request.method == .options {
            response = Response(status: .noContent)  // a CORS preflight: the headers are the answer
        } else {
            do {
                response = try await inner.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                throw error  // Hummingbird answers 400 and closes the connection: its framing is broken
            } catch {
                context.logger.error("request failed", metadata: ["request": "\(context.id)", "error": "\(error)"])
                response = try MatrixError.unknown(requestID: context.id).response(from: request, context: context)
            }
            if response.status == .notFound, context.endpointPath == "NotFound" {
                let allowed = await allowedMethods(request, context: context)
                if !allowed.isEmpty {
                    let error = MatrixError(.methodNotAllowed, "M_UNRECOGNIZED", "Method not allowed",
                                            headers: [.allow: allowed.map(\.rawValue).joined(separator: ", ")])
                    response = try error.response(from: request, context: context)
                }
            }
        }
        CORS.apply(to: &response.headers)
        return response
    }

    /// The methods the request's path has a route for. Each probe runs only the route's
    /// outermost middleware (``RouteProbeMiddleware``), which answers without calling the handler.
    private func allowedMethods(_ request: Request, context: Context) async -> [HTTPRequest.Method] {
        var allowed: [HTTPRequest.Method] = []
        for method in Self.methods where method != request.method {
            var head = request.head
            head.method = method
            context.coreContext.endpointPath.value = nil  // shared with the context's copies
            do {
                _ = try await RouteProbe.$active.withValue(true) {
                    try await inner.respond(to: Request(head: head, body: .init(buffer: ByteBuffer())), context: context)
                }
            } catch is RouteProbe.Found {
                allowed.append(method)
            } catch {}
        }
        return allowed
    }
}

/// Marks a request sent by ``MatrixResponder`` to learn whether a route exists.
enum RouteProbe {
    @TaskLocal static var active = false
    struct Found: Error {}
    struct Missing: Error {}
}

/// During a probe, reports whether the router found a route and stops there; otherwise passes on.
struct RouteProbeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard RouteProbe.active else { return try await next(request, context) }
        // the router names the endpoint before calling a route; the not-found responder does not
        if context.endpointPath != nil { throw RouteProbe.Found() }
        throw RouteProbe.Missing()
    }
}

/// The CORS headers the spec recommends on every response ("Web Browser Clients").
enum CORS {
    static let headers: HTTPFields = [
        .accessControlAllowOrigin: "*",
        .accessControlAllowMethods: "GET, POST, PUT, DELETE, OPTIONS",
        .accessControlAllowHeaders: "X-Requested-With, Content-Type, Authorization",
    ]

    static func apply(to fields: inout HTTPFields) {
        for field in headers { fields[field.name] = field.value }
    }
}
