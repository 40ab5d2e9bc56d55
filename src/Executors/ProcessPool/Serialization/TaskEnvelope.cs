using MessagePack;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// The payload of a <c>Task</c> frame: which method, its target and its arguments.
/// <c>[planId, methodReference, targetKind, target, argumentCount, arguments...]</c>. For a chunk of
/// Map items the "arguments" are the items, each passed to the one-parameter method in turn.
/// </summary>
internal static class TaskEnvelope
{
    /// <summary>Writes everything but the arguments; <paramref name="argumentCount"/> arguments must follow.</summary>
    /// <exception cref="ArgumentException">The target cannot be serialized; the message names what.</exception>
    public static void WriteCallable(ref MessagePackWriter writer, CallablePlan plan, object? target, int argumentCount, string paramName)
    {
        writer.WriteArrayHeader(5 + argumentCount);
        writer.Write(plan.Id);
        writer.WriteRaw(plan.MethodReference);
        writer.Write((int)plan.Kind);
        try
        {
            switch (plan.Kind)
            {
                case TargetKind.Closure:
                    plan.Closure!.Write(ref writer, target);
                    break;
                case TargetKind.Object:
                    BoxedCodec.Serialize(plan.Method.DeclaringType!, ref writer, target);
                    break;
                default:
                    writer.WriteNil();
                    break;
            }
        }
        catch (CapturedValueException ex)
        {
            throw new ArgumentException(ex.Message, paramName, ex.InnerException);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or NotSupportedException or InvalidOperationException)
        {
            throw new ArgumentException(
                $"The callable's target, a '{plan.Method.DeclaringType}', cannot be serialized: {ex.Message}",
                paramName,
                ex);
        }

        writer.Write(argumentCount);
    }

    /// <summary>A <c>byte[]</c> argument at least this large is sent from the caller's array instead of being copied into the frame.</summary>
    public const int ZeroCopyThreshold = 64 * 1024;

    /// <summary>
    /// Writes a call's last argument. A large <c>byte[]</c> declared as <c>byte[]</c> is not copied:
    /// its MessagePack <c>bin32</c> header is written and the array is attached as the frame's tail.
    /// </summary>
    /// <exception cref="ArgumentException">The argument cannot be serialized.</exception>
    public static void WriteLastArgument<T>(ref MessagePackWriter writer, Protocol.OutgoingFrame frame, Type declaredType, T argument, string paramName)
    {
        if (argument is byte[] { Length: >= ZeroCopyThreshold } bytes && declaredType == typeof(byte[]))
        {
            Span<byte> header = writer.GetSpan(5);
            header[0] = MessagePackCode.Bin32;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)bytes.Length);
            writer.Advance(5);
            writer.Flush();
            frame.AttachTail(bytes);
            return;
        }

        WriteArgument(ref writer, declaredType, argument, paramName);
    }

    /// <summary>Writes one argument with its declared type.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="declaredType">The parameter's declared type, which the argument is written as.</param>
    /// <param name="argument">The argument.</param>
    /// <param name="paramName">The user-facing parameter named in the exception.</param>
    /// <param name="isChecked">
    /// Whether <see cref="CheckArguments"/> already accepted the argument (Map checks its items at the call
    /// and serializes them later): the runtime type check is not repeated.
    /// </param>
    /// <exception cref="ArgumentException">The argument cannot be serialized.</exception>
    public static void WriteArgument<T>(ref MessagePackWriter writer, Type declaredType, T argument, string paramName, bool isChecked = false)
    {
        try
        {
            if (typeof(T) == declaredType && typeof(T).IsValueType)
            {
                if (!PrimitiveCodec.TryWrite(ref writer, argument))
                {
                    MessagePackSerializer.Serialize(ref writer, argument, TaskSerializer.Options);
                }

                return;
            }

            if (!isChecked)
            {
                DeclaredTypeCheck.EnsureRoundTrips(declaredType, argument, "The argument");
            }

            if (typeof(T) == declaredType)
            {
                if (!PrimitiveCodec.TryWrite(ref writer, argument))
                {
                    MessagePackSerializer.Serialize(ref writer, argument, TaskSerializer.Options);
                }
            }
            else
            {
                BoxedCodec.Serialize(declaredType, ref writer, argument);
            }
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or NotSupportedException or InvalidOperationException)
        {
            throw new ArgumentException(
                $"The argument of type '{declaredType}' cannot be serialized for a worker process: {ex.Message}",
                paramName,
                ex);
        }
    }

    /// <summary>
    /// Checks, without serializing them, that <paramref name="arguments"/> would arrive as themselves
    /// (<see cref="DeclaredTypeCheck"/>): what <see cref="WriteArgument"/> would refuse for its runtime
    /// type is refused here, with the same exception. Map runs this on every item at the call, and
    /// serializes the items later, when their chunk is dispatched (<see cref="WriteArgument"/> with <c>isChecked</c>).
    /// </summary>
    /// <exception cref="ArgumentException">An argument's runtime type would not survive its declared type.</exception>
    public static void CheckArguments<T>(Type declaredType, T[] arguments, string paramName)
    {
        if (typeof(T) == declaredType && typeof(T).IsValueType)
        {
            return;
        }

        try
        {
            foreach (T argument in arguments)
            {
                DeclaredTypeCheck.EnsureRoundTrips(declaredType, argument, "The argument");
            }
        }
        catch (NotSupportedException ex)
        {
            throw new ArgumentException(
                $"The argument of type '{declaredType}' cannot be serialized for a worker process: {ex.Message}",
                paramName,
                ex);
        }
    }

    /// <summary>Reads a call in the worker.</summary>
    /// <param name="payload">The frame payload.</param>
    /// <param name="plans">The worker's plan cache.</param>
    /// <returns>The plan, the target and the arguments (or chunk items).</returns>
    public static (CallablePlan Plan, object? Target, object?[] Arguments) ReadCall(ReadOnlyMemory<byte> payload, WorkerPlanCache plans)
    {
        var reader = new MessagePackReader(payload);
        (CallablePlan plan, object? target, int argumentCount) = ReadHead(ref reader, plans);
        return (plan, target, ReadArguments(ref reader, plan, argumentCount));
    }

    /// <summary>Reads everything but the arguments; <paramref name="reader"/> is left on the first argument.</summary>
    /// <returns>The plan, the target and how many arguments (or chunk items) follow.</returns>
    public static (CallablePlan Plan, object? Target, int ArgumentCount) ReadHead(ref MessagePackReader reader, WorkerPlanCache plans)
    {
        int count = reader.ReadArrayHeader();
        int id = reader.ReadInt32();
        CallablePlan plan = plans.GetOrResolve(id, ref reader);
        var kind = (TargetKind)reader.ReadInt32();
        if (kind != plan.Kind)
        {
            throw new InvalidDataException($"Malformed task: target kind {kind} does not match '{plan.Method.Name}' ({plan.Kind}).");
        }

        object? target = kind switch
        {
            TargetKind.None => SkipNil(ref reader),
            TargetKind.Singleton => SkipNilThen(ref reader, plan.SingletonTarget),
            TargetKind.Closure => plan.Closure!.Read(ref reader),
            _ => BoxedCodec.Deserialize(plan.Method.DeclaringType!, ref reader),
        };

        int argumentCount = reader.ReadInt32();
        if (argumentCount != count - 5 || argumentCount < 0)
        {
            throw new InvalidDataException("Malformed task: the argument count does not match the envelope.");
        }

        return (plan, target, argumentCount);
    }

    /// <summary>Reads <paramref name="count"/> arguments (or chunk items, all of the single parameter's type), boxed.</summary>
    public static object?[] ReadArguments(ref MessagePackReader reader, CallablePlan plan, int count)
    {
        var arguments = new object?[count];
        Type? single = plan.ParameterTypes.Length == 1 ? plan.ParameterTypes[0] : null;
        for (int i = 0; i < count; i++)
        {
            Type declared = single ?? plan.ParameterTypes[i];
            arguments[i] = BoxedCodec.Deserialize(declared, ref reader);
        }

        return arguments;
    }

    private static object? SkipNil(ref MessagePackReader reader)
    {
        reader.Skip();
        return null;
    }

    private static object? SkipNilThen(ref MessagePackReader reader, object? value)
    {
        reader.Skip();
        return value;
    }
}
