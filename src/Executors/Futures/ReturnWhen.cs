namespace Executors;

/// <summary>When <see cref="Futures.Wait"/> and <see cref="Futures.WaitAsync"/> return.</summary>
public enum ReturnWhen
{
    /// <summary>Return when any future finishes or is canceled.</summary>
    FirstCompleted,

    /// <summary>
    /// Return when any future finishes by throwing an exception; if none does, this is the same as
    /// <see cref="AllCompleted"/>. A canceled future does not count as an exception.
    /// </summary>
    FirstException,

    /// <summary>Return when all futures are done (finished or canceled).</summary>
    AllCompleted,
}
