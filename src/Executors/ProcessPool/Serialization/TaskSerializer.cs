using MessagePack;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// The one place where the process pool's <see cref="MessagePackSerializerOptions"/> are built, so the
/// parent and its workers can never disagree on them.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Contractless, private members allowed: records and plain classes travel without attributes,
/// and attributed MessagePack types still use their attributes (the resolver chain includes them).</item>
/// <item>Never typeless: every value is written and read as a <em>declared</em> type taken from the
/// resolved method (parameter, return, captured field). No type name in a payload is ever used to
/// pick what to deserialize (issue 3's trust boundary).</item>
/// <item><see cref="MessagePackSecurity.UntrustedData"/>: hash-flooding resistant collections and a
/// depth limit, because each side reads bytes produced by another process.</item>
/// <item>Explicit, not <see cref="MessagePackSerializer.DefaultOptions"/>, which any code in the
/// process may replace.</item>
/// </list>
/// </remarks>
internal static class TaskSerializer
{
    /// <summary>Gets the options used for every value that crosses the pipe.</summary>
    public static MessagePackSerializerOptions Options { get; } =
        new MessagePackSerializerOptions(LazyContractlessResolver.Instance)
            .WithSecurity(MessagePackSecurity.UntrustedData)
            .WithOmitAssemblyVersion(true);
}
