using System.Globalization;
using System.Reflection;
using MessagePack;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// Names a closed type across the process boundary by metadata: assembly name + module MVID +
/// type definition token, plus generic arguments and array rank. Used only for the generic arguments
/// of a shipped method and its declaring type; never to choose what to deserialize.
/// </summary>
internal static class TypeReference
{
    /// <summary>Writes <paramref name="type"/>.</summary>
    /// <exception cref="NotSupportedException">The type cannot be named across processes (by-ref, pointer, generic parameter, dynamic assembly).</exception>
    public static void Write(ref MessagePackWriter writer, Type type)
    {
        if (type.IsByRef || type.IsPointer || type.IsGenericParameter || type.ContainsGenericParameters)
        {
            throw new NotSupportedException($"The type '{type}' cannot be shipped to a worker process (by-ref, pointer or open generic).");
        }

        if (type.IsArray)
        {
            // Rank 0 marks a vector (T[]); a rank-1 multi-dimensional array (T[*]) is a different type.
            writer.WriteArrayHeader(2);
            writer.Write(type.IsSZArray ? 0 : type.GetArrayRank());
            Write(ref writer, type.GetElementType()!);
            return;
        }

        Type definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        MethodReference.EnsureShippable(definition.Assembly, type);
        Type[] arguments = type.IsGenericType ? type.GetGenericArguments() : Type.EmptyTypes;
        writer.WriteArrayHeader(4 + arguments.Length);
        writer.Write(0);
        writer.Write(definition.Assembly.GetName().Name);
        writer.Write(definition.Module.ModuleVersionId.ToString("N", CultureInfo.InvariantCulture));
        writer.Write(definition.MetadataToken);
        foreach (Type argument in arguments)
        {
            Write(ref writer, argument);
        }
    }

    /// <summary>Reads and resolves a type written by <see cref="Write"/>, in the worker.</summary>
    /// <exception cref="InvalidDataException">The reference is malformed or names something outside the parent's dependency graph.</exception>
    public static Type Read(ref MessagePackReader reader, AssemblyGate gate)
    {
        int count = reader.ReadArrayHeader();
        if (count == 2)
        {
            int rank = reader.ReadInt32();
            Type element = Read(ref reader, gate);
            return rank == 0 ? element.MakeArrayType() : element.MakeArrayType(rank);
        }

        if (count < 4 || reader.ReadInt32() != 0)
        {
            throw new InvalidDataException("Malformed type reference.");
        }

        string assemblyName = reader.ReadString() ?? throw new InvalidDataException("Malformed type reference: no assembly.");
        string mvid = reader.ReadString() ?? throw new InvalidDataException("Malformed type reference: no MVID.");
        int token = reader.ReadInt32();
        Module module = gate.GetModule(assemblyName, mvid);
        Type definition = module.ResolveType(token);
        if (count == 4)
        {
            return definition;
        }

        var arguments = new Type[count - 4];
        for (int i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Read(ref reader, gate);
        }

        return definition.MakeGenericType(arguments);
    }
}
