using System.Collections;

namespace Executors.Internal;

/// <summary>
/// The lazy, ordered result sequence of <see cref="IExecutor.Map"/>: the futures of the submitted
/// items, awaited in input order against one deadline (CPython's <c>result_iterator</c>).
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
/// <typeparam name="TResult">The type of the results.</typeparam>
/// <remarks>
/// The work is submitted by <see cref="Start"/>, when <c>Map</c> is called, not on first enumeration:
/// CPython's <c>map</c> submits eagerly and its timeout runs from the call. With a buffer size only
/// that many items are submitted up front; one more is submitted each time the consumer asks for the
/// next result. Ending early (dispose, an exception, a timeout) cancels every submitted future not
/// yet yielded, so work that has not started never runs. Not thread-safe, like any enumerator.
/// </remarks>
internal sealed class MapResults<T, TResult> : IEnumerable<TResult>, IEnumerator<TResult>
{
    private readonly Func<T, Future<TResult>> _submit;
    private readonly Deadline _deadline;

    /// <summary>Submitted futures whose results have not been yielded, in input order.</summary>
    private readonly Queue<Future<TResult>> _inFlight;

    /// <summary>The items not yet submitted (buffered mode only); null once exhausted or disposed.</summary>
    private IEnumerator<T>? _source;

    private TResult _current = default!;
    private int _index;
    private bool _enumeratorTaken;

    private MapResults(Func<T, Future<TResult>> submit, Deadline deadline, Queue<Future<TResult>> inFlight, IEnumerator<T>? source)
    {
        _submit = submit;
        _deadline = deadline;
        _inFlight = inFlight;
        _source = source;
    }

    public TResult Current => _current;

    object? IEnumerator.Current => _current;

    /// <summary>Checks every argument of <c>Map</c> at the call site, for any executor, and returns the call's deadline.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="items"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, or the timeout is negative and not infinite.</exception>
    public static Deadline ValidateCall(Func<T, TResult> fn, IEnumerable<T> items, TimeSpan? timeout, int chunkSize, int? bufferSize)
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

        // The timeout runs from the call to Map (CPython), so the deadline is fixed here.
        return Deadline.FromTimeout(timeout, nameof(timeout));
    }

    /// <summary>Submits the first items (all of them without a buffer size) and returns the result sequence.</summary>
    public static MapResults<T, TResult> Start(Func<T, Future<TResult>> submit, IEnumerable<T> items, Deadline deadline, int? bufferSize)
    {
        var inFlight = new Queue<Future<TResult>>();
        IEnumerator<T> source = items.GetEnumerator();
        try
        {
            while ((bufferSize is not { } limit || inFlight.Count < limit) && source.MoveNext())
            {
                inFlight.Enqueue(submit(source.Current));
            }
        }
        catch
        {
            // The call fails as a whole: nothing it submitted may run unobserved.
            CancelAll(inFlight);
            source.Dispose();
            throw;
        }

        if (bufferSize is null)
        {
            // Everything is submitted: release the source now rather than when the results are disposed.
            source.Dispose();
            return new MapResults<T, TResult>(submit, deadline, inFlight, source: null);
        }

        return new MapResults<T, TResult>(submit, deadline, inFlight, source);
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
            // As CPython 3.14: top the buffer up before waiting, so the workers stay busy while we block.
            SubmitNextFromSource();
            if (!_inFlight.TryDequeue(out Future<TResult>? future))
            {
                _current = default!;
                return false;
            }

            try
            {
                if (!future.WaitCore(_deadline))
                {
                    throw ThrowHelper.CreateMapTimeout(_index);
                }

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

    private void SubmitNextFromSource()
    {
        if (_source is null)
        {
            return;
        }

        if (_source.MoveNext())
        {
            _inFlight.Enqueue(_submit(_source.Current));
        }
        else
        {
            _source.Dispose();
            _source = null;
        }
    }
}
