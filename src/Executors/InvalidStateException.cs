namespace Executors;

/// <summary>
/// The exception that is thrown when an operation is not valid in a future's current state, such as
/// setting the result of a future that is already done (CPython's <c>InvalidStateError</c>).
/// </summary>
public class InvalidStateException : InvalidOperationException
{
    internal const string DefaultMessage = "The operation is not valid in the future's current state.";

    /// <summary>Initializes a new instance of the <see cref="InvalidStateException"/> class.</summary>
    public InvalidStateException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InvalidStateException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public InvalidStateException(string? message)
        : base(message ?? DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InvalidStateException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one, or <see langword="null"/>.</param>
    public InvalidStateException(string? message, Exception? innerException)
        : base(message ?? DefaultMessage, innerException)
    {
    }
}
