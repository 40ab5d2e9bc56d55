using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.ProcessPool.Supervision;

/// <summary>
/// A chunk of Map items sent as one task; its future holds one outcome per item, so each item fails on
/// its own. The items are serialized when the chunk is dispatched to a worker (<see cref="PrepareFrame"/>),
/// not when <c>Map</c> is called: only the chunks on their way to a worker hold a frame.
/// </summary>
/// <remarks>
/// <see cref="PrepareFrame"/> and <see cref="OnAnswer"/> are compiled optimized at once
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>): each runs once per chunk, too rarely for
/// tiered compilation to promote it during a short <c>Map</c>, while its loop runs once per item.
/// Measured on <c>process_map_chunks</c> (chunkSize 256): unoptimized, they were most of the parent's
/// cost per item.
/// </remarks>
/// <typeparam name="T">The type of the items.</typeparam>
/// <typeparam name="TResult">The type of the results.</typeparam>
internal sealed class RemoteChunkCall<T, TResult> : Future<ItemOutcome<TResult>[]>, IRemoteCall
{
    private readonly CallablePlan _plan;
    private readonly object? _target;
    private readonly int _count;
    private RemoteCallCore _core;

    /// <summary>The items until they are serialized; then null.</summary>
    private T[]? _items;

    /// <summary>Initializes a chunk whose items are serialized later, by <see cref="PrepareFrame"/>.</summary>
    /// <param name="plan">The callable's plan.</param>
    /// <param name="target">The callable's target.</param>
    /// <param name="items">The items, already accepted by <see cref="TaskEnvelope.CheckArguments"/>: their runtime types are not checked again.</param>
    public RemoteChunkCall(CallablePlan plan, object? target, T[] items)
    {
        _plan = plan;
        _target = target;
        _items = items;
        _count = items.Length;
        _core = new RemoteCallCore();
    }

    public Future Future => this;

    public long CallId => _core.CallId;

    /// <summary>Serializes the items into the task frame, once; on the thread that dispatches the chunk.</summary>
    /// <exception cref="ArgumentException">An item (or the callable) cannot be serialized.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PrepareFrame()
    {
        if (_items is not { } items)
        {
            return;
        }

        OutgoingFrame frame = OutgoingFramePool.Rent();
        try
        {
            var writer = new MessagePackWriter(frame);
            TaskEnvelope.WriteCallable(ref writer, _plan, _target, items.Length, "fn");
            Type declared = _plan.ParameterTypes[0];
            if (declared == typeof(T) && PrimitiveCodec.Covers(typeof(T)))
            {
                // The common case, inlined: no per-item call, check or exception frame.
                foreach (T item in items)
                {
                    PrimitiveCodec.TryWrite(ref writer, item);
                }
            }
            else
            {
                foreach (T item in items)
                {
                    TaskEnvelope.WriteArgument(ref writer, declared, item, "items", isChecked: true);
                }
            }

            writer.Flush();
        }
        catch
        {
            OutgoingFramePool.Return(frame);
            throw;
        }

        _items = null;
        _core.SetFrame(frame, FrameFlags.Chunk);
    }

    public OutgoingFrame Frame => _core.Frame;

    public bool IsLarge => _core.IsLarge;

    public void ReleaseFrame()
    {
        _items = null;
        _core.ReleaseFrame();
    }

    public void DropFrame()
    {
        _items = null;
        _core.DropFrame();
    }

    public void RenewFrame() => _core.RenewFrame();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnAnswer(in IncomingFrame frame)
    {
        if (frame.Header.Kind == MessageKind.Error)
        {
            // The chunk as a whole could not run (its callable could not be rebuilt): every item fails alike.
            TrySetException(RemoteCallCore.ReadError(frame));
            return;
        }

        var outcomes = new ItemOutcome<TResult>[_count];
        bool primitive = _plan.ReturnType == typeof(TResult) && PrimitiveCodec.Covers(typeof(TResult));
        try
        {
            var reader = new MessagePackReader(frame.Payload);
            if (reader.ReadArrayHeader() != _count)
            {
                throw new InvalidDataException("The worker answered a chunk with the wrong number of items.");
            }

            for (int i = 0; i < _count; i++)
            {
                if (reader.ReadArrayHeader() != 2)
                {
                    throw new InvalidDataException("Malformed chunk item.");
                }

                if (reader.ReadInt32() == 0)
                {
                    TResult value = primitive && PrimitiveCodec.TryRead(ref reader, out TResult read) ? read
                        : ResultEnvelope.ReadValue<TResult>(ref reader, _plan.ReturnType);
                    outcomes[i] = new ItemOutcome<TResult>(value, null);
                }
                else
                {
                    outcomes[i] = new ItemOutcome<TResult>(default!, ExceptionDispatchInfo.Capture(ErrorEnvelope.Read(ref reader)));
                }
            }
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or InvalidCastException or EndOfStreamException or InvalidDataException)
        {
            TrySetException(RemoteCallCore.UndecodableResult(_plan.ReturnType, ex));
            return;
        }

        TrySetResult(outcomes);
    }

    public void OnLost(Exception exception) => TrySetException(exception);
}
