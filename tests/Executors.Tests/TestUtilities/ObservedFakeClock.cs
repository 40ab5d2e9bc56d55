using Microsoft.Extensions.Time.Testing;

namespace Executors.Tests.TestUtilities;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells the test when someone has read it. A wait fixes its
/// deadline by reading the clock when it starts; a test that advances the clock before a waiter on
/// another thread has started would only push that deadline along. <see cref="WaitUntilRead"/> closes
/// that race without sleeping.
/// </summary>
internal sealed class ObservedFakeClock : FakeTimeProvider
{
    private readonly object _sync = new();

    /// <summary>Set by the first read; guarded by <see cref="_sync"/>.</summary>
    private bool _wasRead;

    /// <summary>Waits until <see cref="GetTimestamp"/> has been called at least once.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns><see langword="true"/> if the clock was read in time.</returns>
    public bool WaitUntilRead(TimeSpan timeout)
    {
        lock (_sync)
        {
            // One wait is enough: the only pulse comes with the first read.
            return _wasRead || (Monitor.Wait(_sync, timeout) && _wasRead);
        }
    }

    /// <inheritdoc/>
    public override long GetTimestamp()
    {
        long timestamp = base.GetTimestamp();
        lock (_sync)
        {
            if (!_wasRead)
            {
                _wasRead = true;
                Monitor.PulseAll(_sync);
            }
        }

        return timestamp;
    }
}
