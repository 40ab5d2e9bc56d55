namespace Executors;

/// <summary>
/// The exception that is thrown when an executor can no longer run work, for example because a worker
/// initializer failed (CPython's <c>BrokenExecutor</c>). Futures that were pending when the executor
/// broke fail with this exception, and later submissions throw it.
/// </summary>
public class BrokenExecutorException : InvalidOperationException
{
    internal const string DefaultMessage = "The executor is broken and can no longer run work.";

    /// <summary>Initializes a new instance of the <see cref="BrokenExecutorException"/> class.</summary>
    public BrokenExecutorException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BrokenExecutorException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public BrokenExecutorException(string? message)
        : base(message ?? DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BrokenExecutorException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that broke the executor, or <see langword="null"/>.</param>
    public BrokenExecutorException(string? message, Exception? innerException)
        : base(message ?? DefaultMessage, innerException)
    {
    }
}
