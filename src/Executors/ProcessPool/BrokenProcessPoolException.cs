namespace Executors;

/// <summary>
/// The exception that is thrown when a <see cref="ProcessPoolExecutor"/> worker process cannot run
/// a task: the worker died while running it (exit, crash, kill, stack overflow, corrupt stream), or
/// the pool is broken because a worker's initializer threw (CPython's <c>BrokenProcessPool</c>).
/// </summary>
/// <remarks>
/// Unlike CPython, a worker's death does not break the whole pool: only the futures that worker was
/// running fail with this exception, and a replacement worker runs later and queued tasks.
/// </remarks>
public class BrokenProcessPoolException : BrokenExecutorException
{
    internal new const string DefaultMessage = "A worker process of the pool terminated abruptly or could not run the task.";

    /// <summary>Initializes a new instance of the <see cref="BrokenProcessPoolException"/> class.</summary>
    public BrokenProcessPoolException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BrokenProcessPoolException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public BrokenProcessPoolException(string? message)
        : base(message ?? DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="BrokenProcessPoolException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The cause, such as the remote initializer's failure, or <see langword="null"/>.</param>
    public BrokenProcessPoolException(string? message, Exception? innerException)
        : base(message ?? DefaultMessage, innerException)
    {
    }
}
