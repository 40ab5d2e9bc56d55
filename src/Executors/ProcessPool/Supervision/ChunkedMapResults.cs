using System.Collections;
using System.Runtime.CompilerServices;
using Executors.Internal;

namespace Executors.ProcessPool.Supervision;

/// <summary>
/// The results of a chunked <c>Map</c> on the process pool: the ordered, lazy results of the chunks
/// (<see cref="MapResults{T, TResult}"/>, with its deadline, buffering and cancellation), flattened.
/// An item that threw rethrows when it is reached; the items before it in its chunk are yielded first.
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
/// <typeparam name="TResult">The type of the results.</typeparam>
internal sealed class ChunkedMapResults<T, TResult> : IEnumerable<TResult>, IEnumerator<TResult>
{
    private readonly MapResults<T[], ItemOutcome<TResult>[]> _chunks;
    private ItemOutcome<TResult>[] _current = [];
    private int _index;
    private bool _enumeratorTaken;

    public ChunkedMapResults(MapResults<T[], ItemOutcome<TResult>[]> chunks) => _chunks = chunks;

    public TResult Current { get; private set; } = default!;

    object? IEnumerator.Current => Current;

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

    // Optimized at once, like RemoteChunkCall's loops: it runs per item, in a type instantiated per Map.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool MoveNext()
    {
        while (_index >= _current.Length)
        {
            if (!_chunks.MoveNext())
            {
                return false;
            }

            _current = _chunks.Current;
            _index = 0;
        }

        ItemOutcome<TResult> outcome = _current[_index++];
        if (outcome.Error is { } error)
        {
            Dispose();
            error.Throw();
        }

        Current = outcome.Value;
        return true;
    }

    public void Reset() => throw new NotSupportedException();

    public void Dispose() => _chunks.Dispose();
}
