namespace Executors;

/// <summary>
/// Ambient helpers for code that may run under an emulated global interpreter lock: they act on the
/// lock the current thread is attached to, and do nothing when there is none (the emulation is off,
/// or the thread is not an emulated worker), so library and task code can call them unconditionally.
/// </summary>
/// <remarks>All members are thread-safe; each acts on the calling thread only.</remarks>
public static class Gil
{
    /// <summary>Gets the lock the current thread is attached to (holding it, or inside one of its release scopes), or <see langword="null"/>.</summary>
    public static GlobalInterpreterLock? Current => GilThreadState.Current is { IsAttached: true } state ? state.Lock : null;

    /// <summary>Gets a value indicating whether the current thread holds an emulated lock now.</summary>
    public static bool IsHeld => GilThreadState.Current is { IsHolding: true };

    /// <summary>
    /// The eval breaker: put it in loops of CPU-bound code, where CPython checks at loop back-edges. If
    /// another thread has asked for the lock, it is handed over and taken back. With nothing pending it
    /// costs a thread-static read and a volatile read.
    /// </summary>
    public static void Checkpoint()
    {
        GilThreadState? state = GilThreadState.Current;
        if (state is not null && Volatile.Read(ref state.DropRequest) != 0)
        {
            state.Lock.HonourDropRequest(state);
        }
    }

    /// <summary>The eval breaker, and a cancellation point (where CPython delivers asynchronous exceptions).</summary>
    /// <param name="cancellationToken">The token to observe.</param>
    /// <exception cref="OperationCanceledException">The token is canceled.</exception>
    public static void Checkpoint(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Checkpoint();
    }

    /// <summary>
    /// Releases the current thread's lock until the returned scope is disposed
    /// (<c>Py_BEGIN_ALLOW_THREADS</c>): wrap blocking I/O or native work that does not touch shared state.
    /// </summary>
    /// <returns>The scope; disposing it takes the lock back. A no-op scope when the thread holds no lock.</returns>
    public static GilReleaseScope Release()
    {
        GilThreadState? state = GilThreadState.Current;
        return state is { IsHolding: true } ? state.Lock.BeginReleaseScope(state) : default;
    }

    /// <summary><c>time.sleep</c>: sleeps with the lock released, then takes it back like any other thread.</summary>
    /// <param name="duration">How long to sleep.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative and not infinite.</exception>
    public static void Sleep(TimeSpan duration)
    {
        if (GilThreadState.Current is { IsHolding: true } state)
        {
            state.Lock.Sleep(duration);
        }
        else
        {
            Thread.Sleep(duration);
        }
    }

    /// <summary><c>time.sleep(0)</c>: releases the lock briefly (a system call's worth), then takes it back; without a lock, yields the processor.</summary>
    public static void Yield()
    {
        if (GilThreadState.Current is { IsHolding: true } state)
        {
            state.Lock.Yield();
        }
        else
        {
            Thread.Yield();
        }
    }

    /// <summary>Runs native or blocking work with the lock released, and returns its result.</summary>
    /// <typeparam name="T">The type of the result.</typeparam>
    /// <param name="work">The work; it must not touch state that the lock protects.</param>
    /// <returns>What <paramref name="work"/> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is <see langword="null"/>.</exception>
    public static T WithoutGil<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using GilReleaseScope scope = Release();
        return work();
    }

    /// <summary>Runs native or blocking work with the lock released.</summary>
    /// <param name="work">The work; it must not touch state that the lock protects.</param>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is <see langword="null"/>.</exception>
    public static void WithoutGil(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using GilReleaseScope scope = Release();
        work();
    }
}
