namespace Executors;

/// <summary>
/// A hold on an emulated lock, returned by <see cref="GlobalInterpreterLock.Acquire()"/>
/// (<c>PyGILState_Ensure</c>). Disposing it undoes that acquire (<c>PyGILState_Release</c>): the lock is
/// released when the outermost hold of the thread is disposed.
/// </summary>
/// <remarks>Dispose a hold once, on the thread that acquired it. The default value holds nothing and disposing it does nothing.</remarks>
public readonly struct GilHold : IDisposable, IEquatable<GilHold>
{
    private readonly GilThreadState? _state;

    internal GilHold(GilThreadState state) => _state = state;

    /// <summary>Gets the lock this hold is on, or <see langword="null"/> for the default value.</summary>
    public GlobalInterpreterLock? Lock => _state?.Lock;

    /// <summary>Compares two holds.</summary>
    /// <param name="left">The first hold.</param>
    /// <param name="right">The second hold.</param>
    /// <returns><see langword="true"/> if both are on the same thread's attachment to the same lock.</returns>
    public static bool operator ==(GilHold left, GilHold right) => left.Equals(right);

    /// <summary>Compares two holds.</summary>
    /// <param name="left">The first hold.</param>
    /// <param name="right">The second hold.</param>
    /// <returns><see langword="true"/> if they differ.</returns>
    public static bool operator !=(GilHold left, GilHold right) => !left.Equals(right);

    /// <summary>Undoes the acquire that returned this hold; releases the lock if it was the outermost one.</summary>
    /// <exception cref="InvalidOperationException">The current thread does not hold the lock through this hold.</exception>
    public void Dispose() => _state?.Lock.ExitHold(_state);

    /// <inheritdoc/>
    public bool Equals(GilHold other) => ReferenceEquals(_state, other._state);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is GilHold other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _state?.GetHashCode() ?? 0;
}
