namespace Executors.Testing;

/// <summary>
/// Thrown by <see cref="SeededExecutor.Explore"/> when the test fails under one of the seeds: the
/// message names the seed and lists the tasks in the order they ran, and
/// <see cref="Exception.InnerException"/> is the failure itself.
/// </summary>
public sealed class InterleavingFailedException : Exception
{
    /// <summary>The message of an instance created without one.</summary>
    internal const string DefaultMessage = "The test failed under one of the explored task orders.";

    /// <summary>Initializes a new instance of the <see cref="InterleavingFailedException"/> class.</summary>
    public InterleavingFailedException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InterleavingFailedException"/> class with a message.</summary>
    /// <param name="message">The message; <see langword="null"/> for the default.</param>
    public InterleavingFailedException(string? message)
        : base(message ?? DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InterleavingFailedException"/> class with a message and the failure.</summary>
    /// <param name="message">The message; <see langword="null"/> for the default.</param>
    /// <param name="innerException">The failure.</param>
    public InterleavingFailedException(string? message, Exception? innerException)
        : base(message ?? DefaultMessage, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InterleavingFailedException"/> class with the failing seed and its schedule.</summary>
    internal InterleavingFailedException(string message, Exception innerException, int seed, IReadOnlyList<ScheduledTask> history)
        : base(message, innerException)
    {
        Seed = seed;
        History = history;
    }

    /// <summary>Gets the seed under which the test failed: <c>new SeededExecutor(Seed)</c> replays the order.</summary>
    public int Seed { get; }

    /// <summary>Gets the tasks that ran before the failure, in the order they started.</summary>
    public IReadOnlyList<ScheduledTask> History { get; } = [];
}
