namespace Executors;

/// <summary>
/// An exception thrown inside a worker process, as the parent sees it: the remote type's name, its
/// message and the worker's stack trace (CPython's <c>_RemoteTraceback</c> idea).
/// </summary>
/// <remarks>
/// When the remote exception's type can be constructed in the parent, the future fails with an
/// exception of that type (same message) whose <see cref="Exception.InnerException"/> is a
/// <see cref="RemoteTaskException"/>; otherwise the future fails with the <see cref="RemoteTaskException"/> itself.
/// </remarks>
public class RemoteTaskException : Exception
{
    internal const string DefaultMessage = "A task failed in a worker process.";

    /// <summary>Initializes a new instance of the <see cref="RemoteTaskException"/> class.</summary>
    public RemoteTaskException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RemoteTaskException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public RemoteTaskException(string? message)
        : base(message ?? DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RemoteTaskException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public RemoteTaskException(string? message, Exception? innerException)
        : base(message ?? DefaultMessage, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RemoteTaskException"/> class describing a remote failure.</summary>
    /// <param name="remoteExceptionType">The full name of the exception type thrown in the worker.</param>
    /// <param name="message">The remote exception's message.</param>
    /// <param name="remoteStackTrace">The worker's description of the failure: stack trace and inner exceptions.</param>
    public RemoteTaskException(string remoteExceptionType, string? message, string? remoteStackTrace)
        : base(message ?? DefaultMessage)
    {
        RemoteExceptionType = remoteExceptionType;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Gets the full name of the exception type thrown in the worker, if known.</summary>
    public string? RemoteExceptionType { get; }

    /// <summary>Gets the worker's stack trace and inner-exception chain, as text.</summary>
    public string? RemoteStackTrace { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        RemoteStackTrace is null
            ? base.ToString()
            : $"{base.ToString()}{Environment.NewLine}--- Remote traceback ({RemoteExceptionType}) ---{Environment.NewLine}{RemoteStackTrace}";
}
