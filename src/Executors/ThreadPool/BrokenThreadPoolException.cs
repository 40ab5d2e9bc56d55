namespace Executors;

/// <summary>
/// The exception that is thrown when a <see cref="ThreadPoolExecutor"/> is broken because a worker
/// thread's initializer threw (CPython's <c>BrokenThreadPool</c>). The initializer's exception is the
/// <see cref="Exception.InnerException"/>.
/// </summary>
public class BrokenThreadPoolException : BrokenExecutorException
{
    internal new const string DefaultMessage = "A thread initializer failed; the thread pool is not usable anymore.";

    /// <summary>Initializes a new instance of the <see cref="BrokenThreadPoolException"/> class.</summary>
    public BrokenThreadPoolException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BrokenThreadPoolException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public BrokenThreadPoolException(string? message)
        : base(message ?? DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BrokenThreadPoolException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The initializer's exception, or <see langword="null"/>.</param>
    public BrokenThreadPoolException(string? message, Exception? innerException)
        : base(message ?? DefaultMessage, innerException)
    {
    }
}
