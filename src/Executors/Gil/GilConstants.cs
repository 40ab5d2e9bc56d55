namespace Executors;

/// <summary>
/// The defaults of the GIL emulation, in one place: the options' documentation, the constants' tests
/// and the Defaults table of <c>docs/gil.md</c> all point here.
/// </summary>
internal static class GilConstants
{
    /// <summary>The default bias toward the oldest waiter of <see cref="GilHandoff.CPythonLike"/>, calibrated on Linux against CPython 3.11 (gil_io_mix).</summary>
    public const double DefaultOldestWaiterBias = 0.5;

    /// <summary>How many switch intervals a contended hold may last before it counts as a long hold, by default.</summary>
    public const int DefaultLongHoldIntervals = 10;

    /// <summary>Gets CPython's default switch interval: 5 ms (<c>sys.getswitchinterval()</c> is 0.005).</summary>
    public static TimeSpan DefaultSwitchInterval => TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Gets the default minimum release window of <see cref="GlobalInterpreterLock.Yield"/>: 50 µs, about what
    /// <c>time.sleep(0)</c> spends in its system call here. A zero-width release would let the releaser
    /// keep the lock, because the thread it should hand over to is not waiting yet.
    /// </summary>
    public static TimeSpan DefaultYieldWindow => TimeSpan.FromMicroseconds(50);
}
