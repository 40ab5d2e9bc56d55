using System.Reflection;
using MessagePack;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// A task's exception on the wire: <c>[assemblyQualifiedType, fullType, message, remoteTraceback]</c>.
/// Plain strings only, so a failure always travels, whatever the exception holds.
/// </summary>
internal static class ErrorEnvelope
{
    public static void Write(ref MessagePackWriter writer, Exception exception)
    {
        Type type = exception.GetType();
        writer.WriteArrayHeader(4);
        writer.Write(type.AssemblyQualifiedName);
        writer.Write(type.FullName);
        writer.Write(exception.Message);
        writer.Write(exception.ToString());
    }

    /// <summary>Rebuilds the exception in the parent: the same type when it can be constructed, with a <see cref="RemoteTaskException"/> inside.</summary>
    public static Exception Read(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 4)
        {
            throw new InvalidDataException("Malformed error envelope.");
        }

        string? qualifiedName = reader.ReadString();
        string typeName = reader.ReadString() ?? "System.Exception";
        string? message = reader.ReadString();
        string? traceback = reader.ReadString();
        var remote = new RemoteTaskException(typeName, message, traceback);
        return Rebuild(qualifiedName, message, remote) ?? remote;
    }

    private static Exception? Rebuild(string? qualifiedName, string? message, RemoteTaskException remote)
    {
        if (qualifiedName is null)
        {
            return null;
        }

        Type? type;
        try
        {
            type = Type.GetType(qualifiedName, throwOnError: false);
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or ArgumentException or TypeLoadException)
        {
            return null;
        }

        if (type is null || !typeof(Exception).IsAssignableFrom(type) || type.IsAbstract)
        {
            return null;
        }

        ConstructorInfo? constructor = type.GetConstructor([typeof(string), typeof(Exception)]);
        if (constructor is null)
        {
            return null;
        }

        try
        {
            return (Exception)constructor.Invoke([message, remote]);
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }
}
