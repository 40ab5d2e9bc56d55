using System.Globalization;
using System.Reflection;
using MessagePack;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// Names a method across the process boundary: assembly name, module MVID and metadata token, plus
/// the generic arguments of its declaring type and of the method. Written once per method by the
/// parent (cached in <see cref="CallablePlan"/>) and resolved once per method by the worker.
/// </summary>
internal static class MethodReference
{
    /// <summary>Serializes a reference to <paramref name="method"/>.</summary>
    /// <exception cref="NotSupportedException">The method cannot be named in another process.</exception>
    public static byte[] Serialize(MethodInfo method)
    {
        Type declaringType = method.DeclaringType
            ?? throw new NotSupportedException($"The method '{method.Name}' has no declaring type (a global or dynamic method) and cannot be shipped to a worker process.");
        EnsureShippable(method.Module.Assembly, method);

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        var writer = new MessagePackWriter(buffer);
        Type[] typeArguments = declaringType.IsGenericType ? declaringType.GetGenericArguments() : Type.EmptyTypes;
        Type[] methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : Type.EmptyTypes;
        writer.WriteArrayHeader(5);
        writer.Write(method.Module.Assembly.GetName().Name);
        writer.Write(method.Module.ModuleVersionId.ToString("N", CultureInfo.InvariantCulture));
        writer.Write(method.MetadataToken);
        writer.WriteArrayHeader(typeArguments.Length);
        foreach (Type argument in typeArguments)
        {
            TypeReference.Write(ref writer, argument);
        }

        writer.WriteArrayHeader(methodArguments.Length);
        foreach (Type argument in methodArguments)
        {
            TypeReference.Write(ref writer, argument);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads and resolves a method reference, in the worker.</summary>
    /// <exception cref="InvalidDataException">Malformed, or outside the parent's dependency graph.</exception>
    public static MethodInfo Read(ref MessagePackReader reader, AssemblyGate gate)
    {
        if (reader.ReadArrayHeader() != 5)
        {
            throw new InvalidDataException("Malformed method reference.");
        }

        string assemblyName = reader.ReadString() ?? throw new InvalidDataException("Malformed method reference: no assembly.");
        string mvid = reader.ReadString() ?? throw new InvalidDataException("Malformed method reference: no MVID.");
        int token = reader.ReadInt32();
        Type[] typeArguments = ReadTypes(ref reader, gate);
        Type[] methodArguments = ReadTypes(ref reader, gate);

        Module module = gate.GetModule(assemblyName, mvid);
        MethodBase definition = module.ResolveMethod(token)
            ?? throw new InvalidDataException($"Malformed method reference: token 0x{token:X8} does not resolve in '{assemblyName}'.");
        if (typeArguments.Length > 0)
        {
            Type constructed = definition.DeclaringType!.MakeGenericType(typeArguments);
            definition = MethodBase.GetMethodFromHandle(definition.MethodHandle, constructed.TypeHandle)!;
        }

        if (definition is not MethodInfo method)
        {
            throw new InvalidDataException($"Malformed method reference: '{definition.Name}' is a constructor, not a method.");
        }

        return methodArguments.Length > 0 ? method.MakeGenericMethod(methodArguments) : method;
    }

    /// <summary>Throws when code from <paramref name="assembly"/> cannot be loaded by a worker.</summary>
    /// <param name="assembly">The assembly that holds the code.</param>
    /// <param name="what">What is being shipped, for the message.</param>
    /// <exception cref="NotSupportedException">The assembly is dynamic or was loaded in a way a worker cannot repeat.</exception>
    public static void EnsureShippable(Assembly assembly, object what)
    {
        if (assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location))
        {
            throw new NotSupportedException(
                $"'{what}' lives in the in-memory assembly '{assembly.GetName().Name}', which a worker process cannot load.");
        }

        if (assembly.IsCollectible)
        {
            throw new NotSupportedException(
                $"'{what}' lives in the collectible assembly '{assembly.GetName().Name}' (a plug-in load context), which a worker process cannot load.");
        }
    }

    private static Type[] ReadTypes(ref MessagePackReader reader, AssemblyGate gate)
    {
        int count = reader.ReadArrayHeader();
        if (count == 0)
        {
            return Type.EmptyTypes;
        }

        var types = new Type[count];
        for (int i = 0; i < count; i++)
        {
            types[i] = TypeReference.Read(ref reader, gate);
        }

        return types;
    }
}
