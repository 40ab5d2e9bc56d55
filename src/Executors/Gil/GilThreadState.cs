namespace Executors;

/// <summary>
/// One thread's attachment to one emulated lock: CPython's <c>PyThreadState</c>, reduced to what the
/// lock needs. Created by the thread itself and cached in <see cref="Current"/>.
/// </summary>
internal sealed class GilThreadState
{
    /// <summary>The state of the lock the current thread is attached to (or was last; see <see cref="IsAttached"/>).</summary>
    [ThreadStatic]
    private static GilThreadState? t_current;

    /// <summary>
    /// 1 while a waiter has asked this thread to drop the lock: CPython's per-thread
    /// <c>_PY_GIL_DROP_REQUEST_BIT</c>. Set and cleared under the lock's mutex, read without it by
    /// <see cref="GlobalInterpreterLock.Checkpoint()"/>, hence volatile.
    /// </summary>
    public int DropRequest;

    public GilThreadState(GlobalInterpreterLock owner) => Lock = owner;

    /// <summary>Gets or sets the state of the lock the current thread is attached to, if any.</summary>
    public static GilThreadState? Current
    {
        get => t_current;
        set => t_current = value;
    }

    /// <summary>Gets the lock this state belongs to.</summary>
    public GlobalInterpreterLock Lock { get; }

    /// <summary>
    /// Wakes this thread when it waits for the lock (a handoff chose it) or for a forced switch (another
    /// thread took the lock). One primitive per thread, so the handoff policy, not a wait queue,
    /// decides who runs. No spinning: on two cores a spinning waiter takes CPU from the holder.
    /// Set and reset under the lock's mutex.
    /// </summary>
    public ManualResetEventSlim Wake { get; } = new(initialState: false, spinCount: 0);

    /// <summary>Gets or sets the re-entrant acquire depth; touched only by the owning thread.</summary>
    public int Depth { get; set; }

    /// <summary>Gets or sets the number of open release scopes; touched only by the owning thread.</summary>
    public int OpenReleaseScopes { get; set; }

    /// <summary>Gets a value indicating whether the thread holds the lock or is inside a release scope of it.</summary>
    public bool IsAttached => Depth > 0 || OpenReleaseScopes > 0;

    /// <summary>Gets or sets a value indicating whether this thread holds the lock now; guarded by the lock's mutex, read by the owner.</summary>
    public bool IsHolding { get; set; }

    /// <summary>Gets or sets when this thread's current timed wait began (timestamp); guarded by the lock's mutex.</summary>
    public long WaitStart { get; set; }

    /// <summary>Gets or sets the arrival number of this thread's current acquire, for <see cref="GilHandoff.Fifo"/>; guarded by the lock's mutex.</summary>
    public long ArrivalNumber { get; set; }

    /// <summary>Gets or sets a value indicating whether this thread's last release was forced; guarded by the lock's mutex.</summary>
    public bool LastReleaseForced { get; set; }

    /// <summary>Gets or sets a value indicating whether this thread was forced to drop and has not taken the lock since; guarded by the lock's mutex.</summary>
    public bool ForcedDropPending { get; set; }
}
