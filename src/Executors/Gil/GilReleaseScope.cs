namespace Executors;

/// <summary>
/// A stretch of code that runs without the emulated lock: <c>Py_BEGIN_ALLOW_THREADS</c> …
/// <c>Py_END_ALLOW_THREADS</c>. Disposing the scope takes the lock back, waiting like any other
/// thread (there is no priority for a thread coming back from blocking work: CPython's convoy effect).
/// </summary>
/// <remarks>
/// Returned by <see cref="Gil.Release"/> and <see cref="GlobalInterpreterLock.Release"/>. When the
/// current thread held no lock the scope does nothing. Dispose it once, on the thread that opened it;
/// an exception inside the scope still takes the lock back (use it with <c>using</c>).
/// </remarks>
public readonly struct GilReleaseScope : IDisposable, IEquatable<GilReleaseScope>
{
    private readonly GilThreadState? _state;
    private readonly int _savedDepth;

    internal GilReleaseScope(GilThreadState state, int savedDepth)
    {
        _state = state;
        _savedDepth = savedDepth;
    }

    /// <summary>Gets a value indicating whether this scope released a lock (and so will take it back).</summary>
    public bool ReleasedLock => _state is not null;

    /// <summary>Compares two scopes.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> if both are the same release.</returns>
    public static bool operator ==(GilReleaseScope left, GilReleaseScope right) => left.Equals(right);

    /// <summary>Compares two scopes.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> if they differ.</returns>
    public static bool operator !=(GilReleaseScope left, GilReleaseScope right) => !left.Equals(right);

    /// <summary>Takes the lock back, at the acquire depth it had when the scope opened.</summary>
    /// <exception cref="InvalidOperationException">The scope is disposed on another thread than the one that opened it.</exception>
    public void Dispose() => _state?.Lock.EndReleaseScope(_state, _savedDepth);

    /// <inheritdoc/>
    public bool Equals(GilReleaseScope other) => ReferenceEquals(_state, other._state) && _savedDepth == other._savedDepth;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is GilReleaseScope other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_state, _savedDepth);
}
