using System.Buffers;
using System.Runtime.CompilerServices;
using Executors.ProcessPool.Serialization;
using MessagePack;

namespace Executors.Tests.ProcessPool.Serialization;

public sealed class ErrorEnvelopeTests
{
    [Fact]
    public void Read_InvalidOperationException_RebuildsSameTypeWithRemoteInner()
    {
        Exception thrown = Catch(ThrowInvalidOperation);

        Exception read = RoundTrip(thrown);

        var rebuilt = Assert.IsType<InvalidOperationException>(read);
        Assert.Equal("the original message", rebuilt.Message);
        var remote = Assert.IsType<RemoteTaskException>(rebuilt.InnerException);
        Assert.Equal("System.InvalidOperationException", remote.RemoteExceptionType);
        Assert.Equal("the original message", remote.Message);
        Assert.NotNull(remote.RemoteStackTrace);
        Assert.Contains(nameof(ThrowInvalidOperation), remote.RemoteStackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ExceptionWithInnerException_RemoteStackTraceDescribesTheChain()
    {
        Exception thrown = Catch(ThrowWrapped);

        Exception read = RoundTrip(thrown);

        var remote = Assert.IsType<RemoteTaskException>(read.InnerException);
        Assert.Contains("inner cause", remote.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Contains(nameof(ThrowWrapped), remote.RemoteStackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UserExceptionWithStandardConstructors_RebuildsTheUserType()
    {
        Exception read = RoundTrip(new StandardException("custom"));

        var rebuilt = Assert.IsType<StandardException>(read);
        Assert.Equal("custom", rebuilt.Message);
        Assert.IsType<RemoteTaskException>(rebuilt.InnerException);
    }

    [Fact]
    public void Read_ExceptionWithOnlyMessageConstructor_ReturnsRemoteTaskException()
    {
        Exception read = RoundTrip(new MessageOnlyException("only a message"));

        var remote = Assert.IsType<RemoteTaskException>(read);
        Assert.Equal("only a message", remote.Message);
        Assert.Equal(typeof(MessageOnlyException).FullName, remote.RemoteExceptionType);
        Assert.Null(remote.InnerException);
    }

    [Fact]
    public void Read_UnknownTypeName_ReturnsRemoteTaskException()
    {
        byte[] bytes = Envelope("No.Such.Namespace.GoneException, No.Such.Assembly", "No.Such.Namespace.GoneException", "gone", "at Somewhere()");

        Exception read = Read(bytes);

        var remote = Assert.IsType<RemoteTaskException>(read);
        Assert.Equal("No.Such.Namespace.GoneException", remote.RemoteExceptionType);
        Assert.Equal("gone", remote.Message);
        Assert.Equal("at Somewhere()", remote.RemoteStackTrace);
    }

    [Fact]
    public void Read_TypeThatIsNotAnException_ReturnsRemoteTaskException()
    {
        byte[] bytes = Envelope(typeof(string).AssemblyQualifiedName, typeof(string).FullName!, "not an exception", null);

        Exception read = Read(bytes);

        Assert.IsType<RemoteTaskException>(read);
    }

    [Fact]
    public void Read_NullTypeNames_ReturnsRemoteTaskExceptionOfSystemException()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.WriteNil();
        writer.WriteNil();
        writer.WriteNil();
        writer.WriteNil();
        writer.Flush();

        Exception read = Read(buffer.WrittenSpan.ToArray());

        var remote = Assert.IsType<RemoteTaskException>(read);
        Assert.Equal("System.Exception", remote.RemoteExceptionType);
        Assert.Equal(RemoteTaskException.DefaultMessage, remote.Message);
    }

    [Fact]
    public void Read_WrongArity_ThrowsInvalidDataException()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.Write("a");
        writer.Write("b");
        writer.Write("c");
        writer.Flush();

        Assert.Throws<InvalidDataException>(() => Read(buffer.WrittenSpan.ToArray()));
    }

    [Fact]
    public void Read_Always_ConsumesExactlyTheEnvelope()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        ErrorEnvelope.Write(ref writer, new ArgumentException("first"));
        writer.Write(12345);
        writer.Flush();

        var reader = new MessagePackReader(buffer.WrittenMemory);
        Exception read = ErrorEnvelope.Read(ref reader);

        Assert.IsType<ArgumentException>(read);
        Assert.Equal(12345, reader.ReadInt32());
        Assert.True(reader.End);
    }

    private static Exception RoundTrip(Exception exception)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        ErrorEnvelope.Write(ref writer, exception);
        writer.Flush();
        return Read(buffer.WrittenSpan.ToArray());
    }

    private static Exception Read(byte[] bytes)
    {
        var reader = new MessagePackReader(bytes);
        return ErrorEnvelope.Read(ref reader);
    }

    private static byte[] Envelope(string? qualifiedName, string fullName, string? message, string? traceback)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write(qualifiedName);
        writer.Write(fullName);
        writer.Write(message);
        writer.Write(traceback);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static Exception Catch(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            return ex;
        }

        throw new InvalidOperationException("The action did not throw.");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidOperation() => throw new InvalidOperationException("the original message");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWrapped()
    {
        try
        {
            throw new FormatException("inner cause");
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException("outer", ex);
        }
    }

    public sealed class StandardException : Exception
    {
        public StandardException()
        {
        }

        public StandardException(string message)
            : base(message)
        {
        }

        public StandardException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }

    public sealed class MessageOnlyException : Exception
    {
        public MessageOnlyException(string message)
            : base(message)
        {
        }
    }
}
