using System.Collections;

namespace Executors.Testing.Internal;

/// <summary>
/// The lazy, ordered result sequence of <c>Map</c> on the testing executors, with the same rules as the
/// core library's: the work is submitted when <c>Map</c> is called (only <c>bufferSize</c> items with a
/// buffer, then one more per result taken), results come in input order against one deadline from the
/// call, and ending early (dispose, an exception, a timeout) cancels every submitted future not yet
/// yielded. The deadline is measured by the executor's <see cref="TimeProvider"/>.
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
/// <typeparam name="TResult">The type of the results.</typeparam>
/// <remarks>
/// A copy of <c>Executors.Internal.MapResults</c> over public API only (docs/design/0006): the contract
/// tests run against both keep them in step. Not thread-safe, like any enumerator.
/// </remarks>
internal sealed class MapResults<T, TResult> : IEnumerable<TResult>, IEnumerator<TResult>
{
    /// <summary>Submits item <c>i</c> (the item and its index in the input).</summary>
    private readonly Func<T, int, Future<TResult>> _submit;
    private readonly TimeProvider _clock;

    /// <summary>The <see cref="_clock"/> timestamp at which the timeout passes; <see cref="long.MaxValue"/> for none.</summary>
    private readonly long _expiresAt;

    /// <summary>Submitted futures whose results have not been yielded, in input order.</summary>
    private readonly Queue<Future<TResult>> _inFlight;

    /// <summary>The items not yet submitted (buffered mode only); null once exhausted or disposed.</summary>
    private IEnumerator<T>? _source;

    /// <summary>How many items have been submitted: the index of the next one.</summary>
    private int _submitted;

    private TResult _current = default!;
    private int _index;
    private bool _enumeratorTaken;

    private MapResults(Func<T, int, Future<TResult>> submit, TimeProvider clock, long expiresAt)
    {
        _submit = submit;
        _clock = clock;
        _expiresAt = expiresAt;
        _inFlight = new Queue<Future<TResult>>();
    }

    public TResult Current => _current;

    object? IEnumerator.Current => _current;

    /// <summary>Checks every argument of <c>Map</c> at the call site, as the core executors do.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="items"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or the timeout is negative and not infinite.</exception>
    public static void ValidateCall(Func<T, TResult> fn, IEnumerable<T> items, TimeSpan? timeout, int chunkSize, int? bufferSize)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(items);
        if (chunkSize < 1)
        {
            ThrowHelper.ThrowChunkSizeOutOfRange(chunkSize, nameof(chunkSize));
        }

        if (bufferSize is { } size && size < 1)
        {
            ThrowHelper.ThrowBufferSizeOutOfRange(size, nameof(bufferSize));
        }

        if (timeout is { } value && value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            ThrowHelper.ThrowTimeoutOutOfRange(value, nameof(timeout));
        }
    }

    /// <summary>Fixes the deadline (the timeout runs from the call), submits the first items and returns the result sequence.</summary>
    public static MapResults<T, TResult> Start(
        Func<T, int, Future<TResult>> submit,
        IEnumerable<T> items,
        TimeSpan? timeout,
        int? bufferSize,
        TimeProvider clock)
    {
        long expiresAt = long.MaxValue;
        if (timeout is { } value && value != Timeout.InfiniteTimeSpan)
        {
            long now = clock.GetTimestamp();
            double ticks = value.Ticks * (double)clock.TimestampFrequency / TimeSpan.TicksPerSecond;
            expiresAt = ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
        }

        var results = new MapResults<T, TResult>(submit, clock, expiresAt);
        IEnumerator<T> source = items.GetEnumerator();
        try
        {
            while ((bufferSize is not { } limit || results._inFlight.Count < limit) && source.MoveNext())
            {
                results.SubmitOne(source.Current);
            }
        }
        catch
        {
            // The call fails as a whole: nothing it submitted may run unobserved.
            CancelAll(results._inFlight);
            source.Dispose();
            throw;
        }

        if (bufferSize is null)
        {
            // Everything is submitted: release the source now rather than when the results are disposed.
            source.Dispose();
        }
        else
        {
            results._source = source;
        }

        return results;
    }

    public IEnumerator<TResult> GetEnumerator()
    {
        if (_enumeratorTaken)
        {
            ThrowHelper.ThrowMapEnumeratedTwice();
        }

        _enumeratorTaken = true;
        return this;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool MoveNext()
    {
        try
        {
            // Top the buffer up before waiting, so the workers stay busy while we block (CPython 3.14).
            SubmitNextFromSource();
            if (!_inFlight.TryDequeue(out Future<TResult>? future))
            {
                _current = default!;
                return false;
            }

            try
            {
                WaitForResult(future);
                _current = future.GetResult();
            }
            catch
            {
                future.Cancel();
                throw;
            }

            _index++;
            return true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Reset() => throw new NotSupportedException();

    /// <summary>Cancels every submitted future not yet yielded and releases the item source.</summary>
    public void Dispose()
    {
        CancelAll(_inFlight);
        _source?.Dispose();
        _source = null;
    }

    private static void CancelAll(Queue<Future<TResult>> futures)
    {
        while (futures.TryDequeue(out Future<TResult>? future))
        {
            future.Cancel();
        }
    }

    /// <summary>Waits until <paramref name="future"/> is done, or throws the Map timeout once the clock passes the deadline.</summary>
    private void WaitForResult(Future<TResult> future)
    {
        if (future.IsDone)
        {
            // A result that is there is never late (CPython's result(timeout) on a done future).
            return;
        }

        TimeSpan remaining = Timeout.InfiniteTimeSpan;
        if (_expiresAt != long.MaxValue)
        {
            long now = _clock.GetTimestamp();
            remaining = now >= _expiresAt ? TimeSpan.Zero : _clock.GetElapsedTime(now, _expiresAt);
        }

        try
        {
            // GetException waits without throwing the task's own exception; only our timeout throws here.
            future.GetException(remaining, _clock);
        }
        catch (TimeoutException) when (!future.IsDone)
        {
            throw ThrowHelper.CreateMapTimeout(_index);
        }
        catch (OperationCanceledException)
        {
            // Canceled by someone else: GetResult reports it, as for the core executors.
        }
    }

    private void SubmitOne(T item)
    {
        _inFlight.Enqueue(_submit(item, _submitted));
        _submitted++;
    }

    private void SubmitNextFromSource()
    {
        if (_source is null)
        {
            return;
        }

        if (_source.MoveNext())
        {
            SubmitOne(_source.Current);
        }
        else
        {
            _source.Dispose();
            _source = null;
        }
    }
}
