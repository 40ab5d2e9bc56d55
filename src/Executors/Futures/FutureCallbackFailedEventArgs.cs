namespace Executors;

/// <summary>Describes a done-callback that threw; raised through <see cref="Futures.CallbackFailed"/>.</summary>
public sealed class FutureCallbackFailedEventArgs : EventArgs
{
    /// <summary>Initializes a new instance of the <see cref="FutureCallbackFailedEventArgs"/> class.</summary>
    /// <param name="future">The future whose callback threw.</param>
    /// <param name="exception">The exception the callback threw.</param>
    public FutureCallbackFailedEventArgs(Future future, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(future);
        ArgumentNullException.ThrowIfNull(exception);
        Future = future;
        Exception = exception;
    }

    /// <summary>Gets the future whose callback threw.</summary>
    public Future Future { get; }

    /// <summary>Gets the exception the callback threw.</summary>
    public Exception Exception { get; }
}
