using System.Globalization;

namespace Executors;

/// <summary>
/// A snapshot of an emulated lock's counters since it was created or its statistics were last reset
/// (<see cref="GlobalInterpreterLock.ResetStatistics"/>). Wait figures cover contended acquisitions only.
/// </summary>
/// <remarks>
/// Invariants that hold for every snapshot: <see cref="Switches"/> ≤ <see cref="Acquisitions"/>;
/// <see cref="ForcedSwitches"/> ≤ <see cref="DropRequests"/> (plus requests still pending when the
/// counters were reset); <see cref="TotalHold"/> ≤ <see cref="Elapsed"/>, because holds never overlap.
/// </remarks>
public sealed class GilStatistics
{
    internal GilStatistics(
        long acquisitions,
        long contendedAcquisitions,
        long switches,
        long dropRequests,
        long forcedSwitches,
        long forcedSwitchesToSelf,
        long voluntaryReleases,
        TimeSpan totalWait,
        TimeSpan maxWait,
        TimeSpan waitP50,
        TimeSpan waitP99,
        TimeSpan totalHold,
        TimeSpan maxHold,
        TimeSpan maxContendedHold,
        long longHolds,
        TimeSpan elapsed)
    {
        Acquisitions = acquisitions;
        ContendedAcquisitions = contendedAcquisitions;
        Switches = switches;
        DropRequests = dropRequests;
        ForcedSwitches = forcedSwitches;
        ForcedSwitchesToSelf = forcedSwitchesToSelf;
        VoluntaryReleases = voluntaryReleases;
        TotalWait = totalWait;
        MaxWait = maxWait;
        WaitP50 = waitP50;
        WaitP99 = waitP99;
        TotalHold = totalHold;
        MaxHold = maxHold;
        MaxContendedHold = maxContendedHold;
        LongHolds = longHolds;
        Elapsed = elapsed;
    }

    /// <summary>Gets the number of outermost takes of the lock, including re-takes after release scopes and forced drops.</summary>
    public long Acquisitions { get; }

    /// <summary>Gets the number of takes that had to wait.</summary>
    public long ContendedAcquisitions { get; }

    /// <summary>Gets the number of takes by a thread other than the last holder (CPython's <c>switch_number</c>).</summary>
    public long Switches { get; }

    /// <summary>Gets the number of times a waiter's switch interval expired with no switch and it asked the holder to drop the lock.</summary>
    public long DropRequests { get; }

    /// <summary>Gets the number of times a checkpoint honoured a drop request.</summary>
    public long ForcedSwitches { get; }

    /// <summary>
    /// Gets the number of times a thread forced to drop the lock took it back before any other thread
    /// had it. With <see cref="GilOptions.ForceSwitching"/> on this stays 0.
    /// </summary>
    public long ForcedSwitchesToSelf { get; }

    /// <summary>Gets the number of voluntary releases: release scopes, sleeps and yields while holding, and idle workers parking.</summary>
    public long VoluntaryReleases { get; }

    /// <summary>Gets the total time spent waiting by contended acquisitions.</summary>
    public TimeSpan TotalWait { get; }

    /// <summary>Gets the longest wait of a contended acquisition.</summary>
    public TimeSpan MaxWait { get; }

    /// <summary>Gets the median wait of contended acquisitions (within 12.5%).</summary>
    public TimeSpan WaitP50 { get; }

    /// <summary>Gets the 99th percentile wait of contended acquisitions (within 12.5%).</summary>
    public TimeSpan WaitP99 { get; }

    /// <summary>Gets the total time the lock was held.</summary>
    public TimeSpan TotalHold { get; }

    /// <summary>Gets the longest single hold.</summary>
    public TimeSpan MaxHold { get; }

    /// <summary>
    /// Gets the longest time the lock stayed held while at least one thread waited for it. Code that
    /// checkpoints keeps this near one switch interval; code that neither checkpoints nor releases (a C
    /// call that keeps the GIL) makes it grow.
    /// </summary>
    public TimeSpan MaxContendedHold { get; }

    /// <summary>Gets the number of contended holds longer than <see cref="GilOptions.LongHoldThreshold"/>.</summary>
    public long LongHolds { get; }

    /// <summary>Gets the wall time since the lock was created or its statistics were reset.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets the fraction of <see cref="Elapsed"/> during which the lock was held (what <c>gil_load</c> reports).</summary>
    public double Load => Elapsed > TimeSpan.Zero ? TotalHold / Elapsed : 0;

    /// <summary>Gets the mean hold per switch: about one switch interval when CPU-bound threads contend.</summary>
    public TimeSpan MeanHoldPerSwitch => Switches > 0 ? TotalHold / Switches : TimeSpan.Zero;

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"acquisitions={Acquisitions} contended={ContendedAcquisitions} switches={Switches} drop_requests={DropRequests} forced={ForcedSwitches} forced_to_self={ForcedSwitchesToSelf} voluntary={VoluntaryReleases} wait_total={TotalWait.TotalMilliseconds:F1}ms wait_p50={WaitP50.TotalMilliseconds:F2}ms wait_p99={WaitP99.TotalMilliseconds:F2}ms hold_total={TotalHold.TotalMilliseconds:F1}ms hold_max={MaxHold.TotalMilliseconds:F1}ms long_holds={LongHolds} load={Load:F2} elapsed={Elapsed.TotalMilliseconds:F1}ms");
}
