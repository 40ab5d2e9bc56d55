using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// MessagePack's contractless resolver chain (private members allowed), with its built-in formatters
/// tried first and the rest touched only on a miss. The chain's dynamic resolvers build in-memory
/// assemblies when first used: tens of milliseconds that every worker process paid before its
/// first task, even when the task only moves ints and strings. The answers are the same, since the
/// built-in resolver is the head of that chain anyway.
/// </summary>
internal sealed class LazyContractlessResolver : IFormatterResolver
{
    public static readonly LazyContractlessResolver Instance = new();

    private LazyContractlessResolver()
    {
    }

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter =
            BuiltinResolver.Instance.GetFormatter<T>() ?? ContractlessStandardResolverAllowPrivate.Instance.GetFormatter<T>();
    }
}
