namespace Executors.ProcessPool.Serialization;

/// <summary>Raised while serializing a closure; turned into an <see cref="ArgumentException"/> at <c>Submit</c>.</summary>
internal sealed class CapturedValueException : Exception
{
    public CapturedValueException()
    {
    }

    public CapturedValueException(string message)
        : base(message)
    {
    }

    public CapturedValueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CapturedValueException(string what, Type type, Exception innerException)
        : base($"The callable captures {what} of type '{type}', which cannot be serialized: {innerException.Message}", innerException)
    {
    }
}
