using System.Diagnostics;
using Executors.Internal;

namespace Executors;

/// <summary>
/// An emulation of CPython's global interpreter lock (the "new GIL" of CPython 3.2+): one lock per
/// emulated interpreter, which a thread must hold to run "interpreted" code.
/// </summary>
/// <remarks>
/// <para>
/// The algorithm is CPython's <c>take_gil</c>/<c>drop_gil</c> (Python/ceval_gil.c). A thread that
/// wants the lock waits up to the switch interval; if no switch happened meanwhile, it asks the holder
/// to drop the lock. The holder honours the request at its next <see cref="Checkpoint()"/> (CPython's
/// eval breaker at loop back-edges and calls), releases the lock and, with
/// <see cref="GilOptions.ForceSwitching"/>, does not take it back before another thread has had it.
/// Blocking work releases the lock for its duration (<see cref="Release"/>, <see cref="Sleep"/>), and
/// so does every blocking wait of this library.
/// </para>
/// <para>
/// .NET cannot preempt running code at bytecode granularity: code that never checkpoints and never
/// releases keeps the lock, as a C extension that does not release the GIL does in CPython. See
/// <c>docs/gil.md</c>.
/// </para>
/// <para>All members are thread-safe. A thread is attached to at most one lock at a time.</para>
/// </remarks>
public sealed class GlobalInterpreterLock
{
    /// <summary>Guards every field below that says so; never held while a thread blocks.</summary>
    private readonly Lock _mutex = new();

    /// <summary>Threads waiting to take the lock; guarded by <see cref="_mutex"/>.</summary>
    private readonly List<GilThreadState> _waiters = [];

    /// <summary>The handoff policy's random source (seeded for reproducible runs); guarded by <see cref="_mutex"/>.</summary>
    private readonly Random _random;

    private readonly GilHandoff _handoff;
    private readonly double _oldestWaiterBias;
    private readonly bool _directHandoff;
    private readonly bool _forceSwitching;
    private readonly TimeSpan? _longHoldThreshold;
    private readonly TimeSpan _yieldWindow;
    private readonly GilWaitHistogram _waitHistogram = new();

    /// <summary>The switch interval in ticks; read by waiters at each new wait, so a change applies from the next wait.</summary>
    private long _intervalTicks;

    // The lock itself, CPython's `locked`, `holder`, `last_holder` and `switch_number`; guarded by _mutex.
    private bool _locked;
    private GilThreadState? _holder;
    private GilThreadState? _lastHolder;
    private long _switchNumber;

    /// <summary>The waiter a released lock was handed to (<see cref="GilOptions.DirectHandoff"/>); guarded by <see cref="_mutex"/>.</summary>
    private GilThreadState? _reservedFor;

    /// <summary>A thread that was asked to drop the lock and waits for another to take it (FORCE_SWITCHING); guarded by <see cref="_mutex"/>.</summary>
    private GilThreadState? _switchWaiter;

    /// <summary>Arrival counter for <see cref="GilHandoff.Fifo"/>; guarded by <see cref="_mutex"/>.</summary>
    private long _arrivals;

    // Timestamps of the current hold and of the moment a waiter first appeared during it (0: none); guarded by _mutex.
    private long _holdStart;
    private long _contendedSince;

    // Counters since creation or reset; guarded by _mutex.
    private long _statsStart;
    private long _acquisitions;
    private long _contendedAcquisitions;
    private long _switches;
    private long _dropRequests;
    private long _forcedSwitches;
    private long _forcedSwitchesToSelf;
    private long _voluntaryReleases;
    private long _totalWaitTicks;
    private long _maxWaitTicks;
    private long _totalHoldTicks;
    private long _maxHoldTicks;
    private long _maxContendedHoldTicks;
    private long _longHolds;

    /// <summary>Initializes a new instance of the <see cref="GlobalInterpreterLock"/> class.</summary>
    /// <param name="options">The options, which are copied; <see langword="null"/> for CPython's defaults.</param>
    public GlobalInterpreterLock(GilOptions? options = null)
    {
        GilOptions settings = options?.Clone() ?? new GilOptions();
        _intervalTicks = settings.SwitchInterval.Ticks;
        _handoff = settings.Handoff;
        _oldestWaiterBias = settings.Handoff switch
        {
            GilHandoff.Random => 0,
            GilHandoff.OldestWaiter => 1,
            _ => settings.OldestWaiterBias,
        };
        _directHandoff = settings.DirectHandoff;
        _forceSwitching = settings.ForceSwitching;
        _longHoldThreshold = settings.LongHoldThreshold;
        _yieldWindow = settings.YieldWindow;
        _random = settings.Seed is { } seed ? new Random(seed) : new Random();
        _statsStart = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Gets or sets the switch interval (<c>sys.getswitchinterval</c>/<c>setswitchinterval</c>). A new value
    /// applies from each waiter's next timed wait.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan SwitchInterval
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _intervalTicks));
        set
        {
            ThrowHelper.ThrowIfSwitchIntervalOutOfRange(value, nameof(value));
            Volatile.Write(ref _intervalTicks, value.Ticks);
        }
    }

    /// <summary>Gets a value indicating whether the current thread holds this lock now (<c>PyGILState_Check</c>).</summary>
    public bool IsHeldByCurrentThread => GilThreadState.Current is { } state && state.Lock == this && state.IsHolding;

    private TimeSpan LongHoldThreshold => _longHoldThreshold ?? (SwitchInterval * GilConstants.DefaultLongHoldIntervals);

    /// <summary>
    /// Takes the lock for the current thread, waiting as CPython's <c>take_gil</c> does; re-entrant
    /// (<c>PyGILState_Ensure</c>). Dispose the returned hold to undo it.
    /// </summary>
    /// <returns>The hold; disposing the outermost hold releases the lock.</returns>
    /// <exception cref="InvalidOperationException">The current thread is attached to another lock.</exception>
    public GilHold Acquire() => Acquire(CancellationToken.None);

    /// <summary>Takes the lock for the current thread; the wait can be canceled.</summary>
    /// <param name="cancellationToken">Cancels the wait; the lock is then not taken.</param>
    /// <returns>The hold; disposing the outermost hold releases the lock.</returns>
    /// <exception cref="OperationCanceledException">The wait was canceled.</exception>
    /// <exception cref="InvalidOperationException">The current thread is attached to another lock.</exception>
    public GilHold Acquire(CancellationToken cancellationToken)
    {
        GilThreadState state = AttachCurrentThread();
        if (state.IsHolding)
        {
            state.Depth++;
            return new GilHold(state);
        }

        // Attach before waiting: a state that ends up not taking the lock (canceled) is simply not attached.
        GilThreadState.Current = state;
        Take(state, cancellationToken);
        state.Depth = 1;
        return new GilHold(state);
    }

    /// <summary>
    /// Releases the lock until the returned scope is disposed (<c>Py_BEGIN_ALLOW_THREADS</c>); a no-op
    /// scope when the current thread does not hold this lock.
    /// </summary>
    /// <returns>The scope; disposing it takes the lock back.</returns>
    public GilReleaseScope Release()
    {
        GilThreadState? state = GilThreadState.Current;
        return state is not null && state.Lock == this && state.IsHolding ? BeginReleaseScope(state) : default;
    }

    /// <summary>
    /// The eval breaker: if another thread has asked for the lock, releases it, lets another thread take
    /// it, and waits to take it back. Costs a thread-static read and a volatile read when nothing is pending.
    /// A no-op when the current thread does not hold this lock.
    /// </summary>
    public void Checkpoint()
    {
        GilThreadState? state = GilThreadState.Current;
        if (state is not null && Volatile.Read(ref state.DropRequest) != 0 && state.Lock == this)
        {
            HonourDropRequest(state);
        }
    }

    /// <summary>The eval breaker, and a cancellation point: throws if <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="cancellationToken">The token to observe.</param>
    /// <exception cref="OperationCanceledException">The token is canceled.</exception>
    public void Checkpoint(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Checkpoint();
    }

    /// <summary>
    /// <c>time.sleep(0)</c>: releases the lock for at least <see cref="GilOptions.YieldWindow"/> (standing for
    /// the system call), then takes it back like any other thread.
    /// </summary>
    public void Yield()
    {
        using GilReleaseScope scope = Release();
        SpinFor(_yieldWindow);
    }

    /// <summary><c>time.sleep</c>: releases the lock, sleeps, then takes the lock back like any other thread.</summary>
    /// <param name="duration">How long to sleep.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative and not infinite.</exception>
    public void Sleep(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero && duration != Timeout.InfiniteTimeSpan)
        {
            ThrowHelper.ThrowTimeoutOutOfRange(duration, nameof(duration));
        }

        using GilReleaseScope scope = Release();
        Thread.Sleep(duration);
    }

    /// <summary>Returns a snapshot of the counters since creation or the last reset.</summary>
    /// <returns>The statistics.</returns>
    public GilStatistics GetStatistics()
    {
        lock (_mutex)
        {
            long now = Stopwatch.GetTimestamp();

            // A hold in progress counts up to now, so that Load is right while threads run.
            long holdTicks = _totalHoldTicks + (_locked ? now - Math.Max(_holdStart, _statsStart) : 0);
            return new GilStatistics(
                _acquisitions,
                _contendedAcquisitions,
                _switches,
                _dropRequests,
                _forcedSwitches,
                _forcedSwitchesToSelf,
                _voluntaryReleases,
                Stopwatch.GetElapsedTime(0, _totalWaitTicks),
                Stopwatch.GetElapsedTime(0, _maxWaitTicks),
                Stopwatch.GetElapsedTime(0, _waitHistogram.Percentile(0.50)),
                Stopwatch.GetElapsedTime(0, _waitHistogram.Percentile(0.99)),
                Stopwatch.GetElapsedTime(0, holdTicks),
                Stopwatch.GetElapsedTime(0, _maxHoldTicks),
                Stopwatch.GetElapsedTime(0, _maxContendedHoldTicks),
                _longHolds,
                Stopwatch.GetElapsedTime(_statsStart, now));
        }
    }

    /// <summary>Sets every counter back to zero and restarts <see cref="GilStatistics.Elapsed"/>.</summary>
    public void ResetStatistics()
    {
        lock (_mutex)
        {
            long now = Stopwatch.GetTimestamp();
            _statsStart = now;
            _acquisitions = _contendedAcquisitions = _switches = _dropRequests = 0;
            _forcedSwitches = _forcedSwitchesToSelf = _voluntaryReleases = _longHolds = 0;
            _totalWaitTicks = _maxWaitTicks = _totalHoldTicks = _maxHoldTicks = _maxContendedHoldTicks = 0;
            _waitHistogram.Clear();
            if (_locked)
            {
                // The hold in progress is counted from the reset on.
                _holdStart = now;
                _contendedSince = _contendedSince != 0 ? now : 0;
            }
        }
    }

    /// <summary>Undoes one <see cref="Acquire()"/> of the current thread; releases the lock at depth 0.</summary>
    internal void ExitHold(GilThreadState state)
    {
        if (GilThreadState.Current != state || !state.IsHolding || state.Depth <= 0)
        {
            ThrowHelper.ThrowGilHoldNotOwned();
        }

        if (--state.Depth == 0)
        {
            Drop(state, GilReleaseKind.Final);
        }
    }

    /// <summary>Opens a release scope for a thread that holds the lock.</summary>
    internal GilReleaseScope BeginReleaseScope(GilThreadState state)
    {
        Debug.Assert(state.IsHolding && GilThreadState.Current == state, "Only the holder opens a release scope.");
        int depth = state.Depth;
        state.Depth = 0;
        state.OpenReleaseScopes++;
        Drop(state, GilReleaseKind.Voluntary);
        return new GilReleaseScope(state, depth);
    }

    /// <summary>Closes a release scope: takes the lock back at the saved depth.</summary>
    internal void EndReleaseScope(GilThreadState state, int savedDepth)
    {
        if (GilThreadState.Current != state || state.OpenReleaseScopes <= 0)
        {
            ThrowHelper.ThrowGilHoldNotOwned();
        }

        // An Acquire inside the scope that is still held would make this a nested take: re-entrant.
        if (!state.IsHolding)
        {
            Take(state, CancellationToken.None);
        }

        state.OpenReleaseScopes--;
        state.Depth += savedDepth;
    }

    /// <summary>Honours a pending drop request at a checkpoint: release (forced), then take back.</summary>
    internal void HonourDropRequest(GilThreadState state)
    {
        if (!state.IsHolding)
        {
            return;
        }

        int depth = state.Depth;
        state.Depth = 0;
        Drop(state, GilReleaseKind.Forced);
        Take(state, CancellationToken.None);
        state.Depth = depth;
    }

    private static void SpinFor(TimeSpan window)
    {
        if (window <= TimeSpan.Zero)
        {
            return;
        }

        long start = Stopwatch.GetTimestamp();
        var spinner = default(SpinWait);
        while (Stopwatch.GetElapsedTime(start) < window)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private GilThreadState AttachCurrentThread()
    {
        GilThreadState? state = GilThreadState.Current;
        if (state is not null && state.Lock == this)
        {
            return state;
        }

        if (state is not null && state.IsAttached)
        {
            ThrowHelper.ThrowAttachedToAnotherGil();
        }

        // The previous state (if any) belonged to a lock this thread left entirely: replace it.
        return new GilThreadState(this);
    }

    /// <summary>CPython's <c>take_gil</c>: returns holding the lock.</summary>
    private void Take(GilThreadState state, CancellationToken cancellationToken)
    {
        long arrived;
        lock (_mutex)
        {
            if (CanTakeLocked(state))
            {
                TakeLocked(state, waitTicks: -1);
                return;
            }

            arrived = Stopwatch.GetTimestamp();
            state.ArrivalNumber = ++_arrivals;
            _waiters.Add(state);
            if (_locked && _contendedSince == 0)
            {
                _contendedSince = arrived;
            }
        }

        // Cancellation wakes the waiter under the mutex, so the wake cannot fall between its check and its Reset.
        using CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((GilThreadState)s!).Lock.WakeForCancellation((GilThreadState)s!), state)
            : default;

        bool timedOut = false;
        long savedSwitchNumber = 0;
        while (true)
        {
            long intervalTicks;
            lock (_mutex)
            {
                if (CanTakeLocked(state))
                {
                    _waiters.Remove(state);
                    TakeLocked(state, Stopwatch.GetTimestamp() - arrived);
                    return;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    AbandonWaitLocked(state);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                // A waiter asks only if a whole interval passed with no switch at all (CPython's
                // switch_number rule): while the lock changes hands between others, it never complains.
                if (timedOut && _locked && _switchNumber == savedSwitchNumber && _holder is { } holder)
                {
                    Volatile.Write(ref holder.DropRequest, 1);
                    _dropRequests++;
                }

                savedSwitchNumber = _switchNumber;
                state.WaitStart = Stopwatch.GetTimestamp();
                state.Wake.Reset();
                intervalTicks = _intervalTicks;
            }

            // Each round waits a full new interval. Monitor-based waits have millisecond granularity,
            // so an interval below 1 ms waits 1 ms (documented in docs/gil.md).
            timedOut = !state.Wake.Wait(IntervalToMilliseconds(intervalTicks), CancellationToken.None);
        }
    }

    /// <summary>CPython's <c>drop_gil</c>, with FORCE_SWITCHING.</summary>
    private void Drop(GilThreadState state, GilReleaseKind kind)
    {
        bool waitForSwitch;
        lock (_mutex)
        {
            Debug.Assert(_holder == state, "Only the holder drops the lock.");
            long now = Stopwatch.GetTimestamp();
            long hold = now - Math.Max(_holdStart, _statsStart);
            _totalHoldTicks += hold;
            _maxHoldTicks = Math.Max(_maxHoldTicks, hold);
            if (_contendedSince != 0)
            {
                long contended = now - _contendedSince;
                _maxContendedHoldTicks = Math.Max(_maxContendedHoldTicks, contended);
                if (Stopwatch.GetElapsedTime(0, contended) > LongHoldThreshold)
                {
                    _longHolds++;
                }
            }

            _locked = false;
            _holder = null;
            state.IsHolding = false;
            state.LastReleaseForced = kind == GilReleaseKind.Forced;
            if (kind == GilReleaseKind.Voluntary)
            {
                _voluntaryReleases++;
            }
            else if (kind == GilReleaseKind.Forced)
            {
                _forcedSwitches++;
                state.ForcedDropPending = true;
            }

            // Only a thread that was asked to drop waits for the switch; a voluntary release with no
            // request returns at once and may take the lock back if nobody else got there first.
            waitForSwitch = _forceSwitching && kind != GilReleaseKind.Final && state.DropRequest != 0 && _waiters.Count > 0;
            Volatile.Write(ref state.DropRequest, 0);

            HandOffLocked();
            if (waitForSwitch)
            {
                _switchWaiter = state;
            }
        }

        if (waitForSwitch)
        {
            WaitForSwitch(state);
        }
    }

    /// <summary>
    /// FORCE_SWITCHING: waits until another thread has taken the lock, or until nobody waits any more
    /// (the last waiter gave up), so that a dropping thread never hangs.
    /// </summary>
    private void WaitForSwitch(GilThreadState state)
    {
        while (true)
        {
            long intervalTicks;
            lock (_mutex)
            {
                if (_lastHolder != state || _waiters.Count == 0)
                {
                    if (_switchWaiter == state)
                    {
                        _switchWaiter = null;
                    }

                    return;
                }

                state.Wake.Reset();
                intervalTicks = _intervalTicks;
            }

            // The timeout is only a safety net: a switch or the last waiter leaving wakes us.
            state.Wake.Wait(IntervalToMilliseconds(intervalTicks));
        }
    }

    private bool CanTakeLocked(GilThreadState state)
    {
        Debug.Assert(_mutex.IsHeldByCurrentThread, "Requires the mutex.");
        return !_locked && (_reservedFor is null || _reservedFor == state);
    }

    private void TakeLocked(GilThreadState state, long waitTicks)
    {
        Debug.Assert(_mutex.IsHeldByCurrentThread, "Requires the mutex.");
        long now = Stopwatch.GetTimestamp();
        _locked = true;
        _holder = state;
        state.IsHolding = true;
        if (_reservedFor == state)
        {
            _reservedFor = null;
        }

        _acquisitions++;
        if (waitTicks >= 0)
        {
            _contendedAcquisitions++;
            _totalWaitTicks += waitTicks;
            _maxWaitTicks = Math.Max(_maxWaitTicks, waitTicks);
            _waitHistogram.Record(waitTicks);
        }

        if (_lastHolder != state)
        {
            _lastHolder = state;
            _switchNumber++;
            _switches++;
            if (_switchWaiter is { } dropper)
            {
                _switchWaiter = null;
                dropper.Wake.Set();
            }
        }
        else if (state.ForcedDropPending)
        {
            _forcedSwitchesToSelf++;
        }

        state.ForcedDropPending = false;
        Volatile.Write(ref state.DropRequest, 0);
        _holdStart = now;
        _contendedSince = _waiters.Count > 0 ? now : 0;
    }

    /// <summary>Chooses the waiter that gets a released lock, reserves it (direct handoff) and wakes it.</summary>
    private void HandOffLocked()
    {
        Debug.Assert(_mutex.IsHeldByCurrentThread, "Requires the mutex.");
        _reservedFor = null;
        if (_waiters.Count == 0)
        {
            return;
        }

        GilThreadState chosen = ChooseWaiterLocked();
        if (_directHandoff)
        {
            _reservedFor = chosen;
        }

        chosen.Wake.Set();
    }

    private GilThreadState ChooseWaiterLocked()
    {
        if (_waiters.Count == 1)
        {
            return _waiters[0];
        }

        if (_handoff == GilHandoff.Fifo)
        {
            return MinBy(_waiters, static w => w.ArrivalNumber);
        }

        if (_handoff == GilHandoff.IoPriority && _waiters.Exists(static w => !w.LastReleaseForced) && _waiters.Exists(static w => w.LastReleaseForced))
        {
            return ChooseCPythonLikeLocked(_waiters.FindAll(static w => !w.LastReleaseForced));
        }

        return ChooseCPythonLikeLocked(_waiters);
    }

    private GilThreadState ChooseCPythonLikeLocked(List<GilThreadState> candidates)
    {
        // NextDouble() < 0 never holds and < 1 always does, so Random and OldestWaiter fall out of the bias.
        return _random.NextDouble() < _oldestWaiterBias
            ? MinBy(candidates, static w => w.WaitStart)
            : candidates[_random.Next(candidates.Count)];
    }

    private static GilThreadState MinBy(List<GilThreadState> candidates, Func<GilThreadState, long> key)
    {
        GilThreadState best = candidates[0];
        for (int i = 1; i < candidates.Count; i++)
        {
            if (key(candidates[i]) < key(best))
            {
                best = candidates[i];
            }
        }

        return best;
    }

    /// <summary>A waiter gives up (canceled): pass a reservation on, and free a dropping thread if nobody waits now.</summary>
    private void AbandonWaitLocked(GilThreadState state)
    {
        Debug.Assert(_mutex.IsHeldByCurrentThread, "Requires the mutex.");
        _waiters.Remove(state);
        if (_reservedFor == state)
        {
            HandOffLocked();
        }

        if (_waiters.Count == 0)
        {
            _contendedSince = 0;
            if (_switchWaiter is { } dropper)
            {
                _switchWaiter = null;
                dropper.Wake.Set();
            }
        }
    }

    /// <summary>Wakes a waiter whose wait was canceled; takes the mutex, so the wake cannot fall between its check and its Reset.</summary>
    private void WakeForCancellation(GilThreadState state)
    {
        lock (_mutex)
        {
            state.Wake.Set();
        }
    }

    private static int IntervalToMilliseconds(long intervalTicks) =>
        (int)Math.Clamp((intervalTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond, 1, int.MaxValue - 1);
}
