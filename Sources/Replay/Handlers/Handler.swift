/// A function that takes Lambda events: a child process, an HTTP endpoint, a Lambda runtime client, the Lambda
/// Invoke API, or in-process code. ``EventSourceMapping`` calls one handler per lane, one event at a time.
public protocol Handler: Sendable {
    /// Invokes the function with one event (a complete `{"Records":[...]}` document).
    /// - Returns: what the function answered; function errors, timeouts and crashes are outcomes, not throws.
    /// - Throws: ``HandlerError`` when the handler cannot be used at all (the command does not start, the
    ///   endpoint is not there): the replay stops.
    func invoke(_ event: [UInt8]) async throws(HandlerError) -> HandlerOutcome

    /// Releases what the handler holds (a child process, connections). Called once, after the last invoke.
    func shutdown() async
}

/// What one invocation of a ``Handler`` came to.
public enum HandlerOutcome: Sendable, Equatable {
    /// The function returned; the body is its JSON response (empty or `null` for none).
    case response([UInt8])
    /// The function raised an error (Lambda's `X-Amz-Function-Error`, a runtime's error report).
    case functionError(type: String, message: String)
    /// No answer within the timeout (the handler was stopped and will be restarted).
    case timedOut
    /// The function's process ended during the invocation (it will be restarted).
    case crashed(String)

    /// Whether this is a function error in Lambda's sense (anything but a response).
    public var isFunctionError: Bool {
        if case .response = self { return false }
        return true
    }
}
