using System.Globalization;
using System.Reflection;
using System.Reflection.Emit;
using System.Text;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.Tests.ProcessPool.Serialization;

public sealed class MethodReferenceTests
{
    private const BindingFlags AnyStatic = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;

    private readonly AssemblyGate _gate = AssemblyGate.ForCurrentProcess();

    public static TheoryData<MethodInfo> Methods => new()
    {
        typeof(MethodReferenceTests).GetMethod(nameof(Add), AnyStatic)!,
        typeof(MethodReferenceTests).GetMethod(nameof(Describe), BindingFlags.Public | BindingFlags.Instance)!,
        typeof(MethodReferenceTests).GetMethod(nameof(Echo), AnyStatic)!.MakeGenericMethod(typeof(Node)),
        typeof(MethodReferenceTests).GetMethod(nameof(Echo), AnyStatic)!.MakeGenericMethod(typeof(Node[])),
        typeof(MethodReferenceTests).GetMethod(nameof(Echo), AnyStatic)!.MakeGenericMethod(typeof(Dictionary<string, List<Node>>)),
        typeof(MethodReferenceTests).GetMethod(nameof(Echo), AnyStatic)!.MakeGenericMethod(typeof(int[,])),
        typeof(Node.Inner).GetMethod(nameof(Node.Inner.Depth))!,
        typeof(Holder<Node>).GetMethod(nameof(Holder<Node>.Hold))!,
        typeof(Holder<Node[]>).GetMethod(nameof(Holder<Node[]>.Convert))!.MakeGenericMethod(typeof(string)),
        typeof(Holder<Node>.Nested<int>).GetMethod(nameof(Holder<Node>.Nested<int>.Both))!,
        typeof(string).GetMethod(nameof(string.Concat), [typeof(string), typeof(string)])!,
        typeof(Enumerable).GetMethod(nameof(Enumerable.Empty))!.MakeGenericMethod(typeof(Node)),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void Read_AfterSerialize_ResolvesTheSameMethod(MethodInfo method)
    {
        byte[] bytes = MethodReference.Serialize(method);

        var reader = new MessagePackReader(bytes);
        MethodInfo read = MethodReference.Read(ref reader, _gate);

        Assert.Equal(method, read);
        Assert.True(reader.End);
    }

    [Fact]
    public void Read_TamperedMvid_ThrowsInvalidDataExceptionNotTheParents()
    {
        MethodInfo method = typeof(MethodReferenceTests).GetMethod(nameof(Add), AnyStatic)!;
        byte[] bytes = MethodReference.Serialize(method);
        string mvid = method.Module.ModuleVersionId.ToString("N", CultureInfo.InvariantCulture);
        string other = (mvid[0] == '0' ? "1" : "0") + mvid[1..];
        byte[] tampered = Replace(bytes, Encoding.ASCII.GetBytes(mvid), Encoding.ASCII.GetBytes(other));

        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new MessagePackReader(tampered);
            MethodReference.Read(ref reader, _gate);
        });

        Assert.Contains("not the parent's", ex.Message, StringComparison.Ordinal);
        Assert.Contains(other, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ConstructorToken_ThrowsInvalidDataException()
    {
        ConstructorInfo constructor = typeof(Node).GetConstructor(Type.EmptyTypes)!;
        byte[] bytes = Reference(typeof(Node).Assembly.GetName().Name!, typeof(Node).Module.ModuleVersionId, constructor.MetadataToken);

        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new MessagePackReader(bytes);
            MethodReference.Read(ref reader, _gate);
        });

        Assert.Contains("constructor", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UntrustedAssembly_ThrowsInvalidDataException()
    {
        byte[] bytes = Reference("Not.A.Dependency", Guid.NewGuid(), 0x06000001);

        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new MessagePackReader(bytes);
            MethodReference.Read(ref reader, _gate);
        });

        Assert.Contains("not part of the parent application's dependency graph", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WrongArity_ThrowsInvalidDataException()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write("a");
        writer.Write("b");
        writer.Write(1);
        writer.WriteArrayHeader(0);
        writer.Flush();

        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new MessagePackReader(buffer.WrittenMemory);
            MethodReference.Read(ref reader, _gate);
        });

        Assert.Contains("Malformed method reference", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_DynamicMethod_ThrowsNotSupportedException()
    {
        var dynamicMethod = new DynamicMethod("Answer", typeof(int), Type.EmptyTypes);
        ILGenerator il = dynamicMethod.GetILGenerator();
        il.Emit(OpCodes.Ldc_I4, 42);
        il.Emit(OpCodes.Ret);

        var ex = Assert.Throws<NotSupportedException>(() => MethodReference.Serialize(dynamicMethod));

        Assert.Contains("Answer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_MethodInDynamicAssembly_ThrowsNotSupportedException()
    {
        AssemblyBuilder assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("InMemoryForTests"), AssemblyBuilderAccess.Run);
        TypeBuilder type = assembly.DefineDynamicModule("InMemoryForTests").DefineType("InMemory", TypeAttributes.Public);
        MethodBuilder builder = type.DefineMethod("Answer", MethodAttributes.Public | MethodAttributes.Static, typeof(int), Type.EmptyTypes);
        ILGenerator il = builder.GetILGenerator();
        il.Emit(OpCodes.Ldc_I4, 42);
        il.Emit(OpCodes.Ret);
        MethodInfo method = type.CreateType().GetMethod("Answer")!;

        var ex = Assert.Throws<NotSupportedException>(() => MethodReference.Serialize(method));

        Assert.Contains("in-memory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_GenericArgumentFromDynamicAssembly_ThrowsNotSupportedException()
    {
        AssemblyBuilder assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("InMemoryTypeForTests"), AssemblyBuilderAccess.Run);
        Type dynamicType = assembly.DefineDynamicModule("InMemoryTypeForTests").DefineType("InMemoryType", TypeAttributes.Public).CreateType();
        MethodInfo method = typeof(MethodReferenceTests).GetMethod(nameof(Echo), AnyStatic)!.MakeGenericMethod(dynamicType);

        var ex = Assert.Throws<NotSupportedException>(() => MethodReference.Serialize(method));

        Assert.Contains("in-memory", ex.Message, StringComparison.Ordinal);
    }

    public string Describe() => nameof(MethodReferenceTests);

    private static int Add(int a, int b) => a + b;

    private static T Echo<T>(T value) => value;

    private static byte[] Reference(string assemblyName, Guid mvid, int token)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.Write(assemblyName);
        writer.Write(mvid.ToString("N", CultureInfo.InvariantCulture));
        writer.Write(token);
        writer.WriteArrayHeader(0);
        writer.WriteArrayHeader(0);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Replace(byte[] source, byte[] find, byte[] replacement)
    {
        int index = source.AsSpan().IndexOf(find);
        Assert.True(index >= 0, "The serialized reference does not contain the MVID.");
        byte[] result = (byte[])source.Clone();
        replacement.CopyTo(result, index);
        return result;
    }

    public sealed class Node
    {
        public int Value { get; set; }

        public sealed class Inner
        {
            public static int Depth() => 2;
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "Static methods of generic classes are the case under test.")]
    public static class Holder<T>
    {
        public static T Hold(T value) => value;

        public static TOut Convert<TOut>(T value, Func<T, TOut> convert) => convert(value);

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "Static methods of generic classes are the case under test.")]
        public static class Nested<TOther>
        {
            public static (T, TOther) Both(T first, TOther second) => (first, second);
        }
    }
}
