using System.Runtime.ExceptionServices;
using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.ProcessPool.Supervision;

/// <summary>A chunk of Map items sent as one task; its future holds one outcome per item, so each item fails on its own.</summary>
/// <typeparam name="TResult">The type of the results.</typeparam>
internal sealed class RemoteChunkCall<TResult> : Future<ItemOutcome<TResult>[]>, IRemoteCall
{
    private readonly Type _declaredResultType;
    private readonly int _count;
    private RemoteCallCore _core;

    public RemoteChunkCall(OutgoingFrame frame, Type declaredResultType, int count)
    {
        _declaredResultType = declaredResultType;
        _count = count;
        _core = new RemoteCallCore(frame, FrameFlags.Chunk);
    }

    public Future Future => this;

    public long CallId => _core.CallId;

    public OutgoingFrame TakeFrame() => _core.TakeFrame();

    public void DiscardFrame() => _core.DiscardFrame();

    public void OnAnswer(in IncomingFrame frame)
    {
        if (frame.Header.Kind == MessageKind.Error)
        {
            // The chunk as a whole could not run (its callable could not be rebuilt): every item fails alike.
            TrySetException(RemoteCallCore.ReadError(frame));
            return;
        }

        var outcomes = new ItemOutcome<TResult>[_count];
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
                    outcomes[i] = new ItemOutcome<TResult>(ResultEnvelope.ReadValue<TResult>(ref reader, _declaredResultType), null);
                }
                else
                {
                    outcomes[i] = new ItemOutcome<TResult>(default!, ExceptionDispatchInfo.Capture(ErrorEnvelope.Read(ref reader)));
                }
            }
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or InvalidCastException or EndOfStreamException or InvalidDataException)
        {
            TrySetException(RemoteCallCore.UndecodableResult(_declaredResultType, ex));
            return;
        }

        TrySetResult(outcomes);
    }

    public void OnLost(Exception exception) => TrySetException(exception);
}
